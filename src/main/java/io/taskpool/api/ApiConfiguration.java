package io.taskpool.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.servers.Server;
import io.taskpool.config.TaskpoolProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** The API's servlet filter and its OpenAPI description. */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info = @Info(title = "taskpool", version = "v1",
                description = "Submit compute tasks over HTTP; they are stored durably and run in a pool of"
                        + " isolated worker processes, one task per process at a time. Errors are RFC 9457"
                        + " problem details (application/problem+json).",
                license = @License(name = "Apache-2.0")),
        servers = @Server(url = "/", description = "This service"))
class ApiConfiguration {

    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(TaskpoolProperties properties) {
        FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
                new RequestSizeLimitFilter(properties.api().maxBody().toBytes()));
        registration.addUrlPatterns("/api/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
