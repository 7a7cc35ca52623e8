package io.taskpool.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Authenticates {@code Authorization: Bearer <key>} against the configured API keys, which hold
 * only the keys' SHA-256: the key is hashed and looked up. A token that is no known key is
 * refused, unless JWTs are accepted too and it has a JWT's shape; then the JWT provider decides.
 */
final class ApiKeyAuthenticationProvider implements AuthenticationProvider {

    private final Map<String, SecurityProperties.ApiKey> keysByHash;
    private final SecurityProperties.RateLimit defaultRateLimit;
    private final boolean jwtAccepted;

    ApiKeyAuthenticationProvider(SecurityProperties properties, boolean jwtAccepted) {
        this.keysByHash = properties.apiKeys().stream()
                .collect(Collectors.toUnmodifiableMap(SecurityProperties.ApiKey::keySha256, Function.identity()));
        this.defaultRateLimit = properties.rateLimit();
        this.jwtAccepted = jwtAccepted;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        String hash = sha256(token);
        SecurityProperties.ApiKey key = keysByHash.get(hash);
        if (key == null) {
            if (jwtAccepted && token.chars().filter(c -> c == '.').count() == 2) {
                return null; // for the JWT provider
            }
            throw new BadCredentialsException("the bearer token is not a known API key");
        }
        SecurityProperties.RateLimit rateLimit = key.requestsPerSecond() > 0
                ? new SecurityProperties.RateLimit(key.requestsPerSecond(),
                        key.burst() > 0 ? key.burst() : defaultRateLimit.burst())
                : defaultRateLimit;
        return new CallerAuthentication(key.tenant(), key.roleSet(), "key:" + hash, rateLimit);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }

    /** Hex SHA-256 of a key's UTF-8 bytes: what {@code taskpool.security.api-keys[].key-sha256} holds. */
    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
