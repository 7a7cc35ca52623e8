-- The task list shows the newest tasks first. Filtered by state or type, H2 read every matching
-- row and sorted them: O(queued) per request, 0.2-0.6 s with 100,000 queued. With seq descending
-- in the index, and the list's ORDER BY naming the filtered column (state, seq DESC), the page is
-- the first rows of the index. PostgreSQL reads an index either way; the order costs it nothing.
DROP INDEX task_state_seq;
CREATE INDEX task_state_seq ON task (state, seq DESC);
DROP INDEX task_type_seq;
CREATE INDEX task_type_seq ON task (type, seq DESC);
