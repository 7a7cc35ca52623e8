package io.taskpool.task;

/**
 * Who is asking: the tenant whose tasks and batches they may see and act on, or, for an
 * administrator, every tenant's. Work they submit belongs to their tenant.
 */
public record Caller(String tenant, boolean admin) {

    /** Anyone, when no API keys are configured: a local service has one tenant and no roles. */
    public static final Caller LOCAL = new Caller(Task.DEFAULT_TENANT, true);

    /** Whether the work of {@code owner} is visible to this caller; to others it does not exist. */
    public boolean sees(String owner) {
        return admin || tenant.equals(owner);
    }

    /** The tenant a list is limited to, or null for every tenant's. */
    public String scope() {
        return admin ? null : tenant;
    }

    /**
     * The key under which this caller's idempotency key is stored: keys are the tenant's own, so
     * one tenant can neither replay nor block another's submission with the same key.
     */
    public Idempotency scoped(Idempotency idempotency) {
        return idempotency == null ? null : new Idempotency(scoped(idempotency.key()), idempotency.requestHash());
    }

    /** As {@link #scoped(Idempotency)}, for a bare key. */
    public String scoped(String idempotencyKey) {
        if (idempotencyKey == null || tenant.equals(Task.DEFAULT_TENANT)) {
            return idempotencyKey;
        }
        return tenant + "/" + idempotencyKey;
    }
}
