-- Retention: terminal tasks are deleted once they finished more than taskpool.tasks.retention ago.
-- One index serves both ages. Single tasks: batch_id IS NULL AND finished_at < :cutoff is one range
-- of it, which passes over queued and running tasks (no finish time yet) and every batch's items.
-- A batch: whether any item finished since the cutoff is one probe of it (batch_id = :id AND
-- finished_at >= :cutoff), not a scan of the batch's items.
CREATE INDEX task_batch_finished ON task (batch_id, finished_at);
