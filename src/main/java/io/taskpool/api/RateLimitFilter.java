package io.taskpool.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Counts each authenticated caller's requests against its token bucket, after authentication and
 * before anything else is done for the request; past the limit the request gets 429 with
 * Retry-After. Buckets live in this replica's memory: N replicas allow N times the rate.
 */
final class RateLimitFilter extends OncePerRequestFilter {

    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final HandlerExceptionResolver errors;

    RateLimitFilter(HandlerExceptionResolver errors) {
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof CallerAuthentication caller && caller.rateLimit().requestsPerSecond() > 0) {
            SecurityProperties.RateLimit limit = caller.rateLimit();
            long now = System.nanoTime();
            long waitNanos = buckets.computeIfAbsent(caller.rateKey(),
                    key -> new TokenBucket(limit.requestsPerSecond(), limit.burst(), now)).take(now);
            if (waitNanos > 0) {
                Duration retryAfter = Duration.ofSeconds(Math.max(1, (long) Math.ceil(waitNanos / 1e9)));
                errors.resolveException(request, response, null,
                        new RateLimitedException(limit.requestsPerSecond(), limit.burst(), retryAfter));
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
