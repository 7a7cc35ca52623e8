-- Leases: a RUNNING task's owner renews lease_expires_at with a heartbeat. When a replica dies,
-- the others see its leases expire and recover its tasks; its late results are fenced off by the
-- attempt number, which recovery changes. Valid on H2 and PostgreSQL alike. No index: RUNNING
-- tasks are a few per worker, found through task_state_seq.
ALTER TABLE task ADD COLUMN lease_expires_at TIMESTAMP WITH TIME ZONE;
