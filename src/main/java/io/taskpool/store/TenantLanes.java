package io.taskpool.store;

import java.time.ZoneOffset;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The round-robin between tenants: which tenants have work ready to claim, in the order they are
 * due, and moving a served tenant to the back. A tenant's lane row is made the first time this
 * process stores work for it; the rows are few (one per tenant) and never deleted. One instance
 * serves the task and the batch store, so that a tenant's lane is written once.
 */
final class TenantLanes {

    /**
     * The tenants with work ready to claim, the one served longest ago first. Each probe is one
     * index lookup in the claim's own index.
     */
    static final String READY_LANES = """
            SELECT tenant FROM tenant_lane l
            WHERE EXISTS (SELECT 1 FROM task t WHERE t.state = 'QUEUED' AND t.tenant = l.tenant
                          AND (t.not_before IS NULL OR t.not_before <= :now))
            ORDER BY last_served, tenant
            """;

    /** Moves a tenant the claim served to the back of the round-robin. */
    static final String SERVED_LANE = """
            UPDATE tenant_lane SET last_served = (SELECT MAX(last_served) + 1 FROM tenant_lane) WHERE tenant = :tenant
            """;

    static final String INSERT_LANE = """
            INSERT INTO tenant_lane (tenant, last_served) SELECT :tenant, 0
            WHERE NOT EXISTS (SELECT 1 FROM tenant_lane WHERE tenant = :tenant)
            """;

    private final JdbcClient jdbc;
    /** Tenants whose lane row is known to exist: every later submission skips the write. */
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    TenantLanes(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Makes sure the tenant has a lane, before its first work is stored. */
    void ensure(String tenant) {
        if (known.contains(tenant)) {
            return;
        }
        try {
            jdbc.sql(INSERT_LANE).param("tenant", tenant).update();
        } catch (DuplicateKeyException concurrent) {
            // Another submission, here or on another replica, made the same lane first: it exists.
        }
        known.add(tenant);
    }

    /** The tenants with ready work, the one served longest ago first. */
    List<String> ready(Instant now) {
        return jdbc.sql(READY_LANES).param("now", now.atOffset(ZoneOffset.UTC)).query(String.class).list();
    }

    /** The claim served the tenant: it goes to the back of the round-robin. */
    void served(String tenant) {
        jdbc.sql(SERVED_LANE).param("tenant", tenant).update();
    }
}
