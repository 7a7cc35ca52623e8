package io.taskpool.api;

import jakarta.servlet.DispatcherType;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Who may call what. {@code /api/v1/**} takes {@code Authorization: Bearer} with an API key (or a
 * JWT when an issuer is configured): none or an unknown one gets 401, a key without the role 403,
 * both as problem details from {@link ApiErrors}. Reading needs {@code read}, submitting,
 * cancelling and deleting {@code submit}, the worker endpoints {@code admin}; {@code admin} may
 * do everything, across tenants. Everything else (Swagger UI, the spec, the dashboard's files) is
 * open; Actuator lives on the management port, which is not exposed outside the cluster.
 */
@Configuration(proxyBeanMethods = false)
class ApiSecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ApiSecurityConfiguration.class);
    private static final String SUBMIT = "SUBMIT";
    private static final String READ = "READ";
    private static final String ADMIN = "ADMIN";

    @Bean
    Callers callers(SecurityProperties security, ObjectProvider<JwtDecoder> jwtDecoder) {
        boolean open = security.apiKeys().isEmpty() && jwtDecoder.getIfAvailable() == null;
        if (open) {
            log.warn("No API keys are configured (taskpool.security.api-keys) and no JWT issuer: the API at"
                    + " /api/v1 is open to anyone who can reach this port, and every caller is one tenant with every"
                    + " role. Configure keys before exposing the service beyond your own machine.");
        }
        return new Callers(open);
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiSecurity(HttpSecurity http, SecurityProperties security,
            ObjectProvider<JwtDecoder> jwtDecoder,
            @Qualifier("handlerExceptionResolver") HandlerExceptionResolver errors) throws Exception {
        http.securityMatcher("/api/v1/**")
                .csrf(AbstractHttpConfigurer::disable) // bearer tokens only: no cookie a browser would send
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable);
        JwtDecoder jwt = jwtDecoder.getIfAvailable();
        if (security.apiKeys().isEmpty() && jwt == null) {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll()).build();
        }
        AuthenticationEntryPoint unauthenticated = (request, response, e) ->
                errors.resolveException(request, response, null, e);
        AccessDeniedHandler forbidden = (request, response, e) -> errors.resolveException(request, response, null, e);
        AuthenticationManager manager = authenticationManager(security, jwt);
        http.oauth2ResourceServer(server -> server
                        .authenticationManagerResolver(request -> manager)
                        .authenticationEntryPoint(unauthenticated)
                        .accessDeniedHandler(forbidden))
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(unauthenticated)
                        .accessDeniedHandler(forbidden))
                .authorizeHttpRequests(requests -> requests
                        // The request was authorised when it came in; its async completion and
                        // error dispatches carry on with it.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/api/v1/workers", "/api/v1/workers/**").hasRole(ADMIN)
                        .requestMatchers(HttpMethod.GET, "/api/v1/task-types").hasAnyRole(READ, SUBMIT, ADMIN)
                        .requestMatchers(HttpMethod.GET, "/api/v1/**").hasAnyRole(READ, ADMIN)
                        .requestMatchers(HttpMethod.HEAD, "/api/v1/**").hasAnyRole(READ, ADMIN)
                        .requestMatchers(HttpMethod.POST, "/api/v1/**").hasAnyRole(SUBMIT, ADMIN)
                        .requestMatchers(HttpMethod.DELETE, "/api/v1/**").hasAnyRole(SUBMIT, ADMIN)
                        .anyRequest().authenticated())
                .addFilterAfter(new RateLimitFilter(errors), BearerTokenAuthenticationFilter.class);
        return http.build();
    }

    /** Everything outside the API: open, with Spring Security's default response headers. */
    @Bean
    @Order(2)
    SecurityFilterChain openSecurity(HttpSecurity http) throws Exception {
        return http.csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .build();
    }

    /**
     * A URL Spring Security's firewall refuses (path traversal, encoded slashes, control
     * characters) gets a problem detail like every other bad request, not the container's page.
     */
    @Bean
    RequestRejectedHandler requestRejectedHandler(
            @Qualifier("handlerExceptionResolver") HandlerExceptionResolver errors) {
        return (request, response, e) -> errors.resolveException(request, response, null, e);
    }

    /** API keys first; a token that is no key but has a JWT's shape goes to the JWT provider. */
    private static AuthenticationManager authenticationManager(SecurityProperties security, JwtDecoder jwt) {
        List<AuthenticationProvider> providers = new ArrayList<>();
        providers.add(new ApiKeyAuthenticationProvider(security, jwt != null));
        if (jwt != null) {
            JwtAuthenticationProvider jwtProvider = new JwtAuthenticationProvider(jwt);
            jwtProvider.setJwtAuthenticationConverter(new JwtCallers(security));
            providers.add(jwtProvider);
        }
        return new ProviderManager(providers);
    }
}
