package io.taskpool.api;

import io.taskpool.task.BatchItem;
import io.taskpool.task.BatchResultStream;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes batch items as NDJSON lines, a group per write: the stream sends what is ready in one
 * write instead of one per item, and a write blocks while the client is slow.
 */
final class NdjsonSink implements BatchResultStream.ItemSink {

    private static final MediaType NDJSON = MediaType.parseMediaType(BatchController.NDJSON);
    /** Lines gathered before a write even without a flush. */
    private static final int MAX_BUFFERED_CHARS = 64 * 1024;

    private final ResponseBodyEmitter emitter;
    private final JsonMapper json;
    private final StringBuilder lines = new StringBuilder();

    NdjsonSink(ResponseBodyEmitter emitter, JsonMapper json) {
        this.emitter = emitter;
        this.json = json;
    }

    /**
     * Sends the status line and headers now: a client (or a proxy) waiting for them would
     * otherwise wait for the first finished item, which may take as long as a task runs.
     */
    void open() throws IOException {
        emitter.send("", NDJSON);
    }

    @Override
    public void accept(BatchItem item) throws IOException {
        lines.append(json.writeValueAsString(BatchItemView.of(item))).append('\n');
        if (lines.length() >= MAX_BUFFERED_CHARS) {
            flush();
        }
    }

    @Override
    public void flush() throws IOException {
        if (!lines.isEmpty()) {
            String text = lines.toString();
            lines.setLength(0);
            emitter.send(text, NDJSON);
        }
    }
}
