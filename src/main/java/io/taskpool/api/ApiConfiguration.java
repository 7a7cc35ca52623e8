package io.taskpool.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.servers.Server;
import io.taskpool.task.BatchProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.core.StandardHost;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.HandlerMethodReturnValueHandlerComposite;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/** The API's servlet filter, how its handlers' answers are written, and its OpenAPI description. */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info = @Info(title = "taskpool", version = "v1",
                description = "Submit compute tasks over HTTP; they are stored durably and run in a pool of"
                        + " isolated worker processes, one task per process at a time. Errors are RFC 9457"
                        + " problem details (application/problem+json).",
                license = @License(name = "Apache-2.0", identifier = "Apache-2.0")),
        servers = @Server(url = "/", description = "This service"),
        security = @SecurityRequirement(name = "apiKey"))
@SecurityScheme(name = "apiKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API key from taskpool.security.api-keys (or a JWT from the configured issuer), sent as"
                + " 'Authorization: Bearer <key>'. Needed when keys are configured: without one 401, without the"
                + " role 403 (reading needs 'read'; submitting, cancelling and deleting 'submit'; the worker"
                + " endpoints 'admin'). Another tenant's tasks and batches answer 404.")
class ApiConfiguration {

    @Bean
    OpenApiCustomizer openApiShape() {
        return new OpenApiShape();
    }

    /** Requests Tomcat refuses on its own are answered with a problem too: see {@link ProblemErrorReportValve}. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemsFromTomcat() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
        });
    }

    /** Completed futures are written without an asynchronous dispatch: see {@link CompletedFutureReturnValueHandler}. */
    @Bean
    static BeanPostProcessor completedFuturesFirst() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getReturnValueHandlers() != null) {
                    List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>(adapter.getReturnValueHandlers());
                    handlers.add(0, new CompletedFutureReturnValueHandler(
                            new HandlerMethodReturnValueHandlerComposite().addHandlers(adapter.getReturnValueHandlers())));
                    adapter.setReturnValueHandlers(handlers);
                }
                return bean;
            }
        };
    }

    /**
     * Spring Security's observations wrap each of its filters in a timer of its own on every
     * request; the HTTP server metrics already time the whole request.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(ApiProperties api) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
                new RequestSizeLimitFilter(api.maxBody().toBytes(), api.maxBatchBody().toBytes()));
        registration.addUrlPatterns("/api/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /**
     * Threads that write NDJSON result streams: one per open stream, as a stream blocks while its
     * client reads slowly. No queue: past {@code taskpool.batches.max-streams} a request gets 429.
     */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService batchStreamExecutor(BatchProperties batches) {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(0, batches.maxStreams(), 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "batch-stream-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }
}
