-- A task's log: what its handler logged and its program wrote to stderr, the last
-- taskpool.tasks.max-log characters of it. Only GET /api/v1/tasks/{id}/logs reads it; the other
-- queries name their columns, so a long log costs nothing when tasks are listed or claimed.
ALTER TABLE task ADD COLUMN log CHARACTER VARYING;
