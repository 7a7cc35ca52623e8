package io.taskpool.api;

import io.taskpool.api.SecurityProperties.Role;
import io.taskpool.task.Caller;
import java.util.Set;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by an API key or a JWT: the caller (tenant, administrator or not), its
 * roles as authorities ({@code ROLE_SUBMIT}, {@code ROLE_READ}, {@code ROLE_ADMIN}), and the
 * identity its request rate is counted under.
 */
final class CallerAuthentication extends AbstractAuthenticationToken {

    private final Caller caller;
    private final String rateKey;
    private final SecurityProperties.RateLimit rateLimit;

    CallerAuthentication(String tenant, Set<Role> roles, String rateKey, SecurityProperties.RateLimit rateLimit) {
        super(roles.stream().map(role -> new SimpleGrantedAuthority("ROLE_" + role.name())).toList());
        this.caller = new Caller(tenant, roles.contains(Role.ADMIN));
        this.rateKey = rateKey;
        this.rateLimit = rateLimit;
        setAuthenticated(true);
    }

    Caller caller() {
        return caller;
    }

    String rateKey() {
        return rateKey;
    }

    SecurityProperties.RateLimit rateLimit() {
        return rateLimit;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return caller;
    }

    @Override
    public String getName() {
        return caller.tenant();
    }
}
