-- Runs of a task lost to the death of its node (the service, or a replica whose lease ran out).
-- They run again without counting against max_attempts: attempt - interruptions is what counts.
ALTER TABLE task ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0;
