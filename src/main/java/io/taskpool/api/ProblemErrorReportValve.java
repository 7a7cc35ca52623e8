package io.taskpool.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.ProblemDetail;

/**
 * Tomcat's last word on a request it refused before any of the service's code saw it (a NUL or
 * invalid UTF-8 in the request line, a bad header): an RFC 9457 problem like every other error,
 * instead of Tomcat's HTML page. It says only what was wrong with the request in general: the
 * request line may be garbage, and is not echoed.
 *
 * <p>Errors of requests that reached the application are answered there; this valve leaves any
 * response that already has a body alone.
 */
public class ProblemErrorReportValve extends ErrorReportValve {


    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        ProblemDetail problem = status < 500
                ? ProblemType.INVALID_REQUEST.with(status, "the request was refused before it reached the API: its"
                        + " request line or headers are not valid HTTP (control characters, invalid UTF-8, an"
                        + " unsupported method or version)")
                : ProblemType.INTERNAL_ERROR.with(status, "the server could not handle the request");
        try {
            byte[] body = ProblemJson.bytes(problem);
            response.setContentType(ProblemJson.CONTENT_TYPE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.setContentLength(body.length);
            OutputStream out = response.getOutputStream();
            out.write(body);
            out.flush();
        } catch (IOException | IllegalStateException e) {
            // The connection is gone or the response was taken elsewhere: nothing more to tell.
        }
    }
}
