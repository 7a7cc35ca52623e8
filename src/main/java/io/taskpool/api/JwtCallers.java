package io.taskpool.api;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Turns a verified JWT into a caller: the tenant from the configured claim, the roles from
 * another (a list, or a space-separated string). A token without a tenant is refused; one
 * without known roles may do nothing.
 */
final class JwtCallers implements Converter<Jwt, AbstractAuthenticationToken> {

    private final SecurityProperties.Jwt claims;
    private final SecurityProperties.RateLimit rateLimit;

    JwtCallers(SecurityProperties properties) {
        this.claims = properties.jwt();
        this.rateLimit = properties.rateLimit();
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        String tenant = jwt.getClaimAsString(claims.tenantClaim());
        try {
            SecurityProperties.checkTenant(tenant);
        } catch (IllegalArgumentException e) {
            throw new BadCredentialsException("the token's '" + claims.tenantClaim() + "' claim does not name a"
                    + " tenant");
        }
        Set<SecurityProperties.Role> roles = new HashSet<>();
        for (String name : roleNames(jwt.getClaim(claims.rolesClaim()))) {
            try {
                roles.add(SecurityProperties.Role.parse(name));
            } catch (IllegalArgumentException unknown) {
                // a role of another application in the same token
            }
        }
        return new CallerAuthentication(tenant, roles, "jwt:" + tenant + ":" + jwt.getSubject(), rateLimit);
    }

    private static List<String> roleNames(Object claim) {
        if (claim instanceof String text) {
            return Arrays.stream(text.split(" ")).filter(name -> !name.isBlank()).toList();
        }
        if (claim instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
