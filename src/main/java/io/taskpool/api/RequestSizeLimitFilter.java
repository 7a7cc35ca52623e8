package io.taskpool.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over {@code taskpool.api.max-body} (over {@code taskpool.api.max-batch-body}
 * for a batch submission) with 413: at once when the declared Content-Length is too large, and
 * while reading when a chunked body grows past the limit.
 */
class RequestSizeLimitFilter extends OncePerRequestFilter {

    private static final String BATCHES = "/api/v1/batches";

    private final long maxBytes;
    private final long maxBatchBytes;

    RequestSizeLimitFilter(long maxBytes, long maxBatchBytes) {
        this.maxBytes = maxBytes;
        this.maxBatchBytes = maxBatchBytes;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean batch = "POST".equals(request.getMethod()) && (BATCHES.equals(request.getRequestURI())
                || (BATCHES + "/").equals(request.getRequestURI()));
        long maxBytes = batch ? maxBatchBytes : this.maxBytes;
        String property = batch ? "taskpool.api.max-batch-body" : "taskpool.api.max-body";
        if (request.getContentLengthLong() > maxBytes) {
            ProblemDetail problem = ProblemType.BODY_TOO_LARGE.with(
                    new PayloadTooLargeException(maxBytes, property).getMessage());
            problem.setInstance(URI.create(request.getRequestURI().replaceAll("[^A-Za-z0-9/._-]", "")));
            response.setStatus(problem.getStatus());
            response.setContentType(ProblemJson.CONTENT_TYPE);
            response.setHeader("Connection", "close");
            response.getOutputStream().write(ProblemJson.bytes(problem));
            return;
        }
        chain.doFilter(new LimitedRequest(request, maxBytes, property), response);
    }

    /** Counts the bytes read and fails the read that crosses the limit. */
    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long maxBytes;
        private final String property;
        private ServletInputStream limited;

        LimitedRequest(HttpServletRequest request, long maxBytes, String property) {
            super(request);
            this.maxBytes = maxBytes;
            this.property = property;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (limited == null) {
                limited = new LimitedStream(super.getInputStream(), maxBytes, property);
            }
            return limited;
        }
    }

    private static final class LimitedStream extends ServletInputStream {
        private final ServletInputStream in;
        private final long maxBytes;
        private final String property;
        private long read;

        LimitedStream(ServletInputStream in, long maxBytes, String property) {
            this.in = in;
            this.maxBytes = maxBytes;
            this.property = property;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws PayloadTooLargeException {
            read += n;
            if (read > maxBytes) {
                throw new PayloadTooLargeException(maxBytes, property);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
