-- Tenants: every task and batch belongs to the tenant that submitted it. Rows stored before
-- tenants existed, and everything submitted while no API keys are configured, belong to 'default'.
ALTER TABLE task ADD COLUMN tenant VARCHAR(100) DEFAULT 'default' NOT NULL;
ALTER TABLE batch ADD COLUMN tenant VARCHAR(100) DEFAULT 'default' NOT NULL;

-- An idempotency key is the tenant's own: it is stored as '<tenant>/<key>' (the bare key for
-- 'default'), so the column must hold a tenant name besides a 200-character key.
ALTER TABLE task ALTER COLUMN idempotency_key SET DATA TYPE VARCHAR(320);
ALTER TABLE batch ALTER COLUMN idempotency_key SET DATA TYPE VARCHAR(320);

-- Round-robin between tenants: one row per tenant that ever queued work. The claim serves the
-- tenants with ready work in order of last_served, and moves each one it served to the back.
CREATE TABLE tenant_lane (
    tenant       VARCHAR(100) NOT NULL PRIMARY KEY,
    last_served  BIGINT       NOT NULL
);
INSERT INTO tenant_lane (tenant, last_served) VALUES ('default', 0);

-- The claim reads one tenant's queue at a time, in priority, round and submission order; the
-- rounds of fair sharing between batches are kept per tenant and priority. Same number of indexes
-- as before: each one costs every insert of a batch's items.
DROP INDEX task_queue_order;
CREATE INDEX task_queue_order ON task (state, tenant, priority DESC, dispatch_round, seq);
DROP INDEX task_single_round;
CREATE INDEX task_single_round ON task (state, tenant, priority, batch_id, dispatch_round);
