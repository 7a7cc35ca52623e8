-- Retries: a failed attempt goes back to the queue while attempts remain, after a back-off that
-- doubles per attempt. Valid on H2 and PostgreSQL alike.
ALTER TABLE task ADD COLUMN retry_backoff_ms BIGINT NOT NULL DEFAULT 1000;
ALTER TABLE task ADD COLUMN retry_on_timeout BOOLEAN NOT NULL DEFAULT FALSE;
-- A re-queued task is not claimed before this time (null: at once).
ALTER TABLE task ADD COLUMN not_before TIMESTAMP WITH TIME ZONE;

-- The attempts of a task that ended and were followed by another. The last attempt of a task is
-- its own row in the task table, so a task that runs once costs no row here.
CREATE TABLE task_attempt (
    task_id       UUID                     NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    attempt       INTEGER                  NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE,
    finished_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    worker_pid    BIGINT,
    owner         VARCHAR(200),
    error_code    VARCHAR(40)              NOT NULL,
    error_message CHARACTER VARYING,
    PRIMARY KEY (task_id, attempt)
);

