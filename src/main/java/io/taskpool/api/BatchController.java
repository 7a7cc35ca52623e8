package io.taskpool.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.taskpool.task.BatchNotFoundException;
import io.taskpool.task.BatchResultStream;
import io.taskpool.task.BatchService;
import io.taskpool.task.BatchStatus;
import io.taskpool.task.Submitted;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /api/v1/batches}: map a task type over many inputs, like {@code Pool.map}, and read the
 * results in input order as a page, or as a stream of NDJSON lines as they become ready.
 */
@RestController
@RequestMapping(path = "/api/v1/batches")
@Tag(name = "Batches", description = "Run one task type over many inputs and collect the results in input order")
class BatchController {

    static final String NDJSON = "application/x-ndjson";
    private static final Logger log = LoggerFactory.getLogger(BatchController.class);
    private static final String BATCH_ID_EXAMPLE = "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private static final String WAIT_DESCRIPTION = "Hold the request until the batch is terminal or this many"
            + " milliseconds have passed (0 to 60000)";

    private final BatchService batches;
    private final Callers callers;
    private final BatchResultStream results;
    private final ExecutorService streams;
    private final JsonMapper json;
    private final long maxInputBytes;

    BatchController(BatchService batches, Callers callers, BatchResultStream results,
            @Qualifier("batchStreamExecutor") ExecutorService streams, JsonMapper json,
            ApiProperties api) {
        this.batches = batches;
        this.callers = callers;
        this.results = results;
        this.streams = streams;
        this.json = json;
        this.maxInputBytes = api.maxBody().toBytes();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "submitBatch", summary = "Submit a batch",
            description = "Stores the batch and one QUEUED item task per input, all in one transaction, before the"
                    + " reply. The body is read as a stream, so large batches are fine up to"
                    + " taskpool.batches.max-items inputs and taskpool.api.max-batch-body bytes. With an"
                    + " Idempotency-Key, a repeat of the same request returns the first batch (200).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = SubmitBatchRequest.class),
                    examples = @ExampleObject(name = "primes", value = "{\"type\": \"primes.count\", \"inputs\":"
                            + " [{\"below\": 100}, {\"below\": 1000}, {\"below\": 10000}], \"chunkSize\": 2}"))))
    @ApiResponse(responseCode = "202", description = "Accepted: the batch and its items are stored")
    @ApiResponse(responseCode = "200", description = "A repeat of an earlier request with the same Idempotency-Key")
    @ApiResponse(responseCode = "400", description = "Malformed JSON, unknown type, an input that is not an object"
            + " or does not match the type's inputSchema (invalid-input, with its index and path; nothing is stored),"
            + " or a bad field", content = @Content(mediaType = "application/problem+json",
            schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "413", description = "More inputs than taskpool.batches.max-items, or a body larger"
            + " than taskpool.api.max-batch-body", content = @Content(mediaType = "application/problem+json",
            schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "415", description = "Body is not application/json",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "409", description = "A concurrent request with the same Idempotency-Key is still"
            + " being stored; retry", content = @Content(mediaType = "application/problem+json",
            schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "422", description = "The Idempotency-Key was used with another request",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "429", description = "Queue full; retry after the Retry-After header",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    ResponseEntity<BatchView> submit(HttpServletRequest request,
            @Parameter(description = "Makes the submission safe to retry: a repeat with the same key and body returns"
                    + " the first batch", example = "9b2f6c1e-batch-42")
            @RequestHeader(name = RequestDigest.IDEMPOTENCY_KEY, required = false) String idempotencyKey)
            throws IOException {
        String key = RequestDigest.checkKey(idempotencyKey);
        Submitted<BatchStatus> submitted;
        try (InputStream body = request.getInputStream()) {
            submitted = batches.submit(new JsonBatchRequest(body, json, maxInputBytes), key, callers.current());
        }
        BatchStatus batch = submitted.resource();
        return ResponseEntity.status(submitted.created() ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .location(URI.create("/api/v1/batches/" + batch.batch().id()))
                .body(BatchView.of(batch));
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getBatch", summary = "Get a batch",
            description = "State and counts by item state. With waitMs, a long poll:"
            + " answers as soon as the batch is terminal, or with the batch as it is when waitMs has passed.")
    @ApiResponse(responseCode = "200", description = "The batch")
    @ApiResponse(responseCode = "404", description = "No such batch",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    CompletableFuture<BatchView> get(@Parameter(description = "Batch id", example = BATCH_ID_EXAMPLE) @PathVariable String id,
            @Parameter(description = WAIT_DESCRIPTION) @RequestParam(defaultValue = "0") @Min(0) @Max(60000) long waitMs) {
        return batches.awaitTerminal(parseId(id), Duration.ofMillis(waitMs), callers.current())
                .thenApply(BatchView::of);
    }

    @GetMapping(path = "/{id}/results", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getBatchResults", summary = "Get a batch's results",
            description = "Items in input order, like Pool.map's list: a"
            + " page from offset. Items not finished yet show their state without result. Ask with"
            + " Accept: application/x-ndjson to stream them instead, one line per item as it becomes ready.")
    @ApiResponse(responseCode = "200", description = "A page of items in input order, or their stream", content =
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = BatchResultsPage.class)))
    @ApiResponse(responseCode = "404", description = "No such batch",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    BatchResultsPage results(@Parameter(description = "Batch id", example = BATCH_ID_EXAMPLE) @PathVariable String id,
            @Parameter(description = "Index of the first item") @RequestParam(defaultValue = "0") @Min(0) int offset,
            @Parameter(description = "Page size, 1 to 1000") @RequestParam(defaultValue = "100") @Min(1) @Max(1000)
            int limit) {
        UUID batchId = parseId(id);
        BatchStatus batch = batches.get(batchId, callers.current());
        List<BatchItemView> items = batches.results(batchId, offset, limit).stream().map(BatchItemView::of).toList();
        long end = (long) offset + limit;
        return new BatchResultsPage(items, end < batch.batch().size() ? (int) end : null);
    }

    /**
     * The results as NDJSON, written by a stream thread while the servlet thread goes back to
     * the pool. The socket's back-pressure paces the writer; the emitter never times out, since a
     * batch may run for hours.
     */
    @GetMapping(path = "/{id}/results", produces = NDJSON)
    @Operation(operationId = "getBatchResults")
    @ApiResponse(responseCode = "200", description = "A page of items in input order, or their stream", content =
            @Content(mediaType = NDJSON, schema = @Schema(implementation = BatchItemView.class,
                    description = "NDJSON: one BatchItem per line, each line a JSON object and a newline"),
                    examples = @ExampleObject(name = "lines", value = "{\"index\":0,\"state\":\"SUCCEEDED\","
                            + "\"result\":{\"count\":25},\"error\":null}\n{\"index\":1,\"state\":\"SUCCEEDED\","
                            + "\"result\":{\"count\":168},\"error\":null}\n")))
    ResponseEntity<ResponseBodyEmitter> stream(@PathVariable String id,
            @Parameter(description = "input (default): each item when it and every item before it are done, like"
                    + " Pool.imap; completion: each item as it finishes, like Pool.imap_unordered",
                    schema = @Schema(allowableValues = {"input", "completion"}))
            @RequestParam(defaultValue = "input") String order) {
        boolean completionOrder = switch (order) {
            case "input" -> false;
            case "completion" -> true;
            default -> throw new BadRequestException("order", "order must be 'input' or 'completion', was '"
                    + order + "'");
        };
        BatchStatus batch = batches.get(parseId(id), callers.current());
        ResponseBodyEmitter emitter = new ResponseBodyEmitter(-1L);
        NdjsonSink sink = new NdjsonSink(emitter, json);
        try {
            streams.execute(() -> {
                try {
                    sink.open();
                    if (completionOrder) {
                        results.inCompletionOrder(batch, sink);
                    } else {
                        results.inInputOrder(batch, sink);
                    }
                    emitter.complete();
                } catch (IOException clientGone) {
                    log.debug("Result stream of batch {} ended: {}", batch.batch().id(), clientGone.getMessage());
                    emitter.completeWithError(clientGone);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    emitter.completeWithError(e);
                } catch (RuntimeException e) {
                    log.warn("Result stream of batch {} failed", batch.batch().id(), e);
                    emitter.completeWithError(e);
                }
            });
        } catch (RejectedExecutionException full) {
            throw new TooManyStreamsException();
        }
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(NDJSON)).body(emitter);
    }

    @PostMapping(path = "/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "cancelBatch", summary = "Cancel a batch",
            description = "Queued items are CANCELLED at once; running ones are"
            + " stopped as running tasks are (cancel frame, grace, kill). Answers when every item is terminal.")
    @ApiResponse(responseCode = "200", description = "The batch after cancelling")
    @ApiResponse(responseCode = "404", description = "No such batch",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    @ApiResponse(responseCode = "409", description = "The batch is already terminal",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemView.class)))
    CompletableFuture<BatchView> cancel(@Parameter(description = "Batch id", example = BATCH_ID_EXAMPLE) @PathVariable String id) {
        return batches.cancel(parseId(id), callers.current()).thenApply(BatchView::of);
    }

    /** A malformed id names no batch: 404, like any unknown id. */
    static UUID parseId(String id) {
        return ResourceIds.parse(id, BatchNotFoundException::new);
    }
}
