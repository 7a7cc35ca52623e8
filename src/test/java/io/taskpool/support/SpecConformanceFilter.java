package io.taskpool.support;

import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Fails the test whose REST-assured call the OpenAPI contract does not describe. Once the response
 * has arrived, the exchange is judged by {@link SpecConformance}; anything that does not conform
 * throws an {@link AssertionError} naming the method, the request path, the path template it was
 * taken for, the status, and each violation with its JSON location. A conforming response is
 * handed on unchanged; a JSON body read here stays readable for the test.
 *
 * <p>{@link #forServiceContract()} is the one that {@link SpecConformanceExtension} installs for
 * every test. A filter reads its document on the first call it sees, so a JVM that makes no HTTP
 * call pays nothing, and one that makes thousands parses the document and compiles each schema
 * once.
 */
public final class SpecConformanceFilter implements Filter {

    /** The service's contract as committed, relative to the project directory, where Maven runs tests. */
    private static final Path SERVICE_CONTRACT = Path.of("openapi", "taskpool.yaml");
    private static final SpecConformanceFilter SERVICE = new SpecConformanceFilter(SERVICE_CONTRACT);

    private final Path specFile;
    /** Read on first use; guarded by {@code this}. */
    private SpecConformance conformance;

    /** A filter that judges exchanges against the OpenAPI 3.1 document in {@code specFile}. */
    public SpecConformanceFilter(Path specFile) {
        this.specFile = specFile;
    }

    /** The filter for the service's own contract, {@code openapi/taskpool.yaml}: one per JVM. */
    public static SpecConformanceFilter forServiceContract() {
        return SERVICE;
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification expectations,
            FilterContext context) {
        Response response = context.next(request, expectations);
        String target = requestTarget(request.getURI());
        SpecConformance.Exchange exchange = new SpecConformance.Exchange(request.getMethod(), path(target),
                request.getContentType(), text(request.getBody()), response.statusCode(),
                response.header("Content-Type"), length(response.header("Content-Length")), response::asByteArray);
        SpecConformance.Verdict verdict = conformance().judge(exchange);
        if (!verdict.conforms()) {
            throw new AssertionError(report(exchange, target, verdict));
        }
        return response;
    }

    private synchronized SpecConformance conformance() {
        if (conformance == null) {
            conformance = new SpecConformance(OpenApiSpec.load(specFile));
        }
        return conformance;
    }

    private String report(SpecConformance.Exchange exchange, String target, SpecConformance.Verdict verdict) {
        String answer = exchange.status() + (exchange.responseContentType() == null ? ""
                : " " + exchange.responseContentType());
        return exchange.method() + " " + target + " (" + exchange.method() + " " + verdict.template() + " in "
                + specFile + ") answered " + answer + ", which the contract does not describe:"
                + verdict.problems().stream().map(problem -> "\n  - " + problem).collect(Collectors.joining());
    }

    /** The path and query of a URI: {@code http://localhost:8080/a/b?c=d} gives {@code /a/b?c=d}. */
    private static String requestTarget(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return uri.isEmpty() ? "/" : uri;
        }
        int start = uri.indexOf('/', scheme + 3);
        return start < 0 ? "/" : uri.substring(start);
    }

    /** A request target without its query and fragment. */
    private static String path(String target) {
        return target.split("[?#]", 2)[0];
    }

    /** A request body as text, if it is text; REST-assured has serialized objects by the time filters run. */
    private static String text(Object body) {
        if (body instanceof String string) {
            return string;
        }
        if (body instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return null;
    }

    private static long length(String contentLength) {
        if (contentLength == null) {
            return -1;
        }
        try {
            return Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
