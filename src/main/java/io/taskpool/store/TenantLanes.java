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
 * process stores work for it; the rows are few (one per tenant) and never deleted.
 */
final class TenantLanes {

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
            jdbc.sql(JdbcTaskStore.INSERT_LANE).param("tenant", tenant).update();
        } catch (DuplicateKeyException concurrent) {
            // Another submission, here or on another replica, made the same lane first: it exists.
        }
        known.add(tenant);
    }

    /** The tenants with ready work, the one served longest ago first. */
    List<String> ready(Instant now) {
        return jdbc.sql(JdbcTaskStore.READY_LANES).param("now", now.atOffset(ZoneOffset.UTC)).query(String.class).list();
    }

    /** The claim served the tenant: it goes to the back of the round-robin. */
    void served(String tenant) {
        jdbc.sql(JdbcTaskStore.SERVED_LANE).param("tenant", tenant).update();
    }
}
