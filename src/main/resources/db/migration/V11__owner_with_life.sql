-- A task's owner is its node's name (up to 200 characters) plus '#' and a token unique to that
-- start of the process. Valid on H2 and PostgreSQL alike.
ALTER TABLE task ALTER COLUMN owner SET DATA TYPE VARCHAR(240);
ALTER TABLE task_attempt ALTER COLUMN owner SET DATA TYPE VARCHAR(240);
