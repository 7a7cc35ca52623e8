package io.taskpool.api;

import io.taskpool.task.BatchHeader;
import io.taskpool.task.BatchRequest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of {@code POST /api/v1/batches}, read token by token: the fields around the inputs
 * as they come, and one input at a time, so a body of 100,000 inputs never sits in memory whole.
 * Checks what Bean Validation checks for a single task, with the same messages.
 */
final class JsonBatchRequest implements BatchRequest {

    private static final String KNOWN_FIELDS = "chunkSize, inputs, labels, priority, timeoutMs, type";

    private enum Position { BEFORE_INPUTS, IN_INPUTS, AFTER_INPUTS, DONE }

    private final JsonParser parser;
    private final JsonMapper json;
    private final long maxInputBytes;
    private final RequestDigest digest = new RequestDigest();
    private Position position = Position.BEFORE_INPUTS;
    private boolean sawInputs;
    private int index;
    /** Every field read so far, wherever it stood: the digest takes them once, at the end. */
    private BatchHeader fields = BatchHeader.EMPTY;

    JsonBatchRequest(InputStream body, JsonMapper json, long maxInputBytes) {
        this.parser = json.createParser(body);
        this.json = json;
        this.maxInputBytes = maxInputBytes;
    }

    @Override
    public BatchHeader readHeader() {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new BadRequestException("body", "the body must be a JSON object with 'type' and 'inputs'");
        }
        return readFields();
    }

    @Override
    public String nextInput() {
        if (position != Position.IN_INPUTS) {
            return null;
        }
        JsonToken token = parser.nextToken();
        if (token == JsonToken.END_ARRAY) {
            position = Position.AFTER_INPUTS;
            return null;
        }
        if (token != JsonToken.START_OBJECT) {
            throw new BadRequestException("inputs", "inputs[" + index + "] must be a JSON object");
        }
        JsonNode input = parser.readValueAsTree();
        String text = json.writeValueAsString(input);
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxInputBytes) {
            throw new InputTooLargeException(bytes, maxInputBytes);
        }
        digest.add("input", text);
        index++;
        return text;
    }

    @Override
    public BatchHeader readRest() {
        while (nextInput() != null) {
            // inputs the caller did not read are not stored; this only reaches the fields after them
        }
        if (position == Position.DONE) {
            return BatchHeader.EMPTY;
        }
        BatchHeader rest = readFields();
        if (parser.nextToken() != null) {
            throw new BadRequestException("body", "the body has content after its JSON object");
        }
        return rest;
    }

    /** The inputs in order, then the fields: the same whether a field came before or after the inputs. */
    @Override
    public String requestHash() {
        digest.add("type", fields.type());
        digest.add("chunkSize", fields.chunkSize());
        digest.add("priority", fields.priority());
        digest.add("timeoutMs", fields.timeoutMs());
        digest.add("labels", fields.labels() == null ? null : json.writeValueAsString(fields.labels()));
        return digest.hex();
    }

    /** Reads fields until the inputs array opens or the object ends. */
    private BatchHeader readFields() {
        String type = null;
        Integer chunkSize = null;
        Integer priority = null;
        Long timeoutMs = null;
        Map<String, String> labels = null;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "type" -> type = text(field, value, 200);
                case "chunkSize" -> chunkSize = (int) integer(field, value, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case "priority" -> priority = (int) integer(field, value, -1000, 1000);
                case "timeoutMs" -> timeoutMs = integer(field, value, 1, Long.MAX_VALUE);
                case "labels" -> labels = labels(value);
                case "inputs" -> {
                    if (sawInputs) {
                        throw new BadRequestException("inputs", "field 'inputs' appears twice");
                    }
                    if (value != JsonToken.START_ARRAY) {
                        throw new BadRequestException("inputs", "field 'inputs' has the wrong type: expected an array");
                    }
                    sawInputs = true;
                    position = Position.IN_INPUTS;
                    return header(type, chunkSize, priority, timeoutMs, labels);
                }
                default -> throw new BadRequestException(field, "unknown field '" + field + "'; known fields: "
                        + KNOWN_FIELDS);
            }
        }
        position = Position.DONE;
        return header(type, chunkSize, priority, timeoutMs, labels);
    }

    private BatchHeader header(String type, Integer chunkSize, Integer priority, Long timeoutMs,
            Map<String, String> labels) {
        BatchHeader header = new BatchHeader(type, chunkSize, priority, timeoutMs, labels);
        fields = fields.with(header);
        return header;
    }

    private String text(String field, JsonToken value, int maxLength) {
        if (value != JsonToken.VALUE_STRING) {
            throw new BadRequestException(field, "field '" + field + "' has the wrong type: expected a string");
        }
        String text = parser.getString();
        if (text.isBlank() || text.length() > maxLength) {
            throw new BadRequestException(field, "field '" + field + "' must be 1 to " + maxLength
                    + " characters and not blank");
        }
        return text;
    }

    private long integer(String field, JsonToken value, long min, long max) {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new BadRequestException(field, "field '" + field + "' has the wrong type: expected an integer");
        }
        long number;
        try {
            number = parser.getLongValue();
        } catch (RuntimeException tooBig) {
            throw new BadRequestException(field, "field '" + field + "' is out of range");
        }
        if (number < min || number > max) {
            throw new BadRequestException(field, "field '" + field + "' must be between " + min + " and " + max
                    + ", was " + number);
        }
        return number;
    }

    private Map<String, String> labels(JsonToken value) {
        if (value != JsonToken.START_OBJECT) {
            throw new BadRequestException("labels", "field 'labels' has the wrong type: expected an object");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            String key = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                throw new BadRequestException("labels", "label '" + key + "' must be a string");
            }
            if (key.isBlank() || key.length() > 100 || parser.getString().length() > 500) {
                throw new BadRequestException("labels", "label keys must be 1 to 100 characters and values at most"
                        + " 500 characters");
            }
            labels.put(key, parser.getString());
            if (labels.size() > 32) {
                throw new BadRequestException("labels", "field 'labels' must have at most 32 entries");
            }
        }
        return labels;
    }
}
