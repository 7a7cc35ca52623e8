-- Leases: a RUNNING task's owner renews lease_expires_at with a heartbeat. When a replica dies,
-- the others see its leases expire and recover its tasks; its late results are fenced off by the
-- attempt number, which recovery changes. Valid on H2 and PostgreSQL alike.
ALTER TABLE task ADD COLUMN lease_expires_at TIMESTAMP WITH TIME ZONE;
-- A replica's heartbeat renews its RUNNING tasks; recovery finds RUNNING tasks by lease.
CREATE INDEX task_state_owner ON task (state, owner);
