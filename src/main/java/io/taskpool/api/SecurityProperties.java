package io.taskpool.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call the API ({@code taskpool.security.*}). With no API keys and no JWT issuer the API
 * is open to anyone who can reach it, as one tenant; the service says so loudly at start-up.
 *
 * @param apiKeys the API keys: each names its tenant, the hex SHA-256 of the key (the key itself
 *     is never stored) and its roles
 * @param tenants limits by tenant name
 * @param maxQueuedPerTenant how many queued tasks a tenant may have when {@code tenants.<name>.max-queued}
 *     does not say; 0 leaves only {@code taskpool.queue.capacity}
 * @param rateLimit requests per API key, unless the key sets its own
 * @param jwt how a JWT from the OIDC issuer ({@code spring.security.oauth2.resourceserver.jwt.issuer-uri})
 *     maps to a tenant and roles
 */
public record SecurityProperties(
        @Valid @DefaultValue List<ApiKey> apiKeys,
        @Valid @DefaultValue Map<String, Tenant> tenants,
        @Min(0) @DefaultValue("0") long maxQueuedPerTenant,
        @Valid @DefaultValue RateLimit rateLimit,
        @Valid @DefaultValue Jwt jwt) {

    /** What a key or token may do: read, submit (and cancel, delete) its tenant's work, or everything. */
    public enum Role {
        SUBMIT, READ, ADMIN;

        static Role parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown role '" + name + "'; roles are submit, read and admin");
            }
        }
    }

    /**
     * One API key.
     *
     * @param tenant the tenant the key acts for; its tasks and batches belong to it
     * @param keySha256 hex SHA-256 of the key, e.g. from {@code printf %s "$KEY" | sha256sum}
     * @param roles any of submit, read, admin
     * @param requestsPerSecond this key's sustained request rate; 0 takes {@code taskpool.security.rate-limit}
     * @param burst requests this key may make at once above the sustained rate; 0 takes the default
     */
    public record ApiKey(
            @NotNull String tenant,
            @NotNull String keySha256,
            @NotNull @DefaultValue List<String> roles,
            @Min(0) @DefaultValue("0") double requestsPerSecond,
            @Min(0) @DefaultValue("0") int burst) {

        public ApiKey {
            checkTenant(tenant);
            if (keySha256 == null || !keySha256.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("taskpool.security.api-keys[].key-sha256 of tenant '" + tenant
                        + "' must be 64 hex digits (the SHA-256 of the key, not the key)");
            }
            keySha256 = keySha256.toLowerCase(Locale.ROOT);
            roles = roles == null ? List.of() : List.copyOf(roles);
            if (roles.isEmpty()) {
                throw new IllegalArgumentException("taskpool.security.api-keys[].roles of tenant '" + tenant
                        + "' must name at least one of submit, read, admin");
            }
            roles.forEach(Role::parse);
        }

        Set<Role> roleSet() {
            Set<Role> set = new HashSet<>();
            roles.forEach(role -> set.add(Role.parse(role)));
            return Set.copyOf(set);
        }
    }

    /** @param maxQueued how many queued tasks the tenant may have; more get 429; 0 takes the default */
    public record Tenant(@Min(0) @DefaultValue("0") long maxQueued) {}

    /**
     * A token bucket per API key (per replica): {@code burst} requests at once, refilled at
     * {@code requestsPerSecond}; past it, 429 with Retry-After.
     *
     * @param requestsPerSecond sustained requests per second per key; 0 turns the limit off
     * @param burst requests at once above the sustained rate
     */
    public record RateLimit(@Min(0) @DefaultValue("200") double requestsPerSecond, @Min(1) @DefaultValue("400") int burst) {}

    /**
     * @param tenantClaim the claim that names the caller's tenant
     * @param rolesClaim the claim that lists the caller's roles (a list, or a space-separated string)
     */
    public record Jwt(@NotNull @DefaultValue("tenant") String tenantClaim,
            @NotNull @DefaultValue("roles") String rolesClaim) {}

    public SecurityProperties {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        tenants = tenants == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tenants));
        tenants.keySet().forEach(SecurityProperties::checkTenant);
        Set<String> hashes = new HashSet<>();
        for (ApiKey key : apiKeys) {
            if (!hashes.add(key.keySha256())) {
                throw new IllegalArgumentException("taskpool.security.api-keys lists the key-sha256 " + key.keySha256()
                        + " twice");
            }
        }
    }

    /** The most queued tasks this tenant may have; 0 for no limit of its own. */
    public long maxQueued(String tenant) {
        Tenant limits = tenants.get(tenant);
        return limits != null && limits.maxQueued() > 0 ? limits.maxQueued() : maxQueuedPerTenant;
    }

    /** Tenant names go into keys and messages: letters, digits and a few separators, at most 100. */
    static void checkTenant(String tenant) {
        if (tenant == null || !tenant.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("tenant name '" + tenant + "' must be 1 to 100 letters, digits, '.',"
                    + " '_' or '-'");
        }
    }
}
