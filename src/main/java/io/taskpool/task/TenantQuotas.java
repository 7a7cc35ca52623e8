package io.taskpool.task;

/** How many queued tasks each tenant may have at most; 0 means only the queue's capacity applies. */
@FunctionalInterface
public interface TenantQuotas {

    TenantQuotas NONE = tenant -> 0;

    long maxQueued(String tenant);
}
