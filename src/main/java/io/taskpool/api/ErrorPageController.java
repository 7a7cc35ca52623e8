package io.taskpool.api;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The answer to an error the servlet container itself reports, before any controller ran (a
 * method Tomcat refuses, such as TRACE; a request it cuts short): a problem detail like every
 * other error, in place of Spring Boot's error page. It says only what the status says: the
 * container's message may echo the request, and never a stack trace.
 */
@Hidden // not part of the API: the container's own errors
@RestController
class ErrorPageController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer number ? HttpStatus.resolve(number) : null;
        if (status == null || !status.isError()) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        ProblemDetail problem = (status.is4xxClientError() ? ProblemType.INVALID_REQUEST : ProblemType.INTERNAL_ERROR)
                .with(status.value(), detail(status, request));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static String detail(HttpStatus status, HttpServletRequest request) {
        return switch (status) {
            case METHOD_NOT_ALLOWED -> "method " + request.getMethod() + " is not allowed here";
            case NOT_FOUND -> "no such resource";
            case BAD_REQUEST -> "the request is malformed";
            default -> status.is4xxClientError() ? "the request was refused: " + status.getReasonPhrase()
                    : "the service could not answer this request; it has been logged";
        };
    }
}
