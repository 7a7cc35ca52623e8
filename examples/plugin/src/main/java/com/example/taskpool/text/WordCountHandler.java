package com.example.taskpool.text;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;

/**
 * {@code text.wordcount}: the words of {@code {"text": s}} (runs of letters and digits), and how
 * many distinct ones there are, ignoring case. An example plug-in: it needs nothing but the SPI.
 */
public final class WordCountHandler implements TaskHandler {

    /** Words between two cancellation checks. */
    private static final int CHECK_EVERY = 100_000;

    public WordCountHandler() {} // ServiceLoader needs a public no-argument constructor

    @Override
    public String type() {
        return "text.wordcount";
    }

    @Override
    public String description() {
        return "Counts the words of {\"text\": s} and the distinct ones, ignoring case";
    }

    /** The service refuses an input without a text string before it is queued. */
    @Override
    public String inputSchema() {
        return """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "required": ["text"], "properties": {"text": {"type": "string"}}}""";
    }

    @Override
    public Object run(TaskInput input, TaskContext context) {
        String text = input.requireString("text");
        Set<String> distinct = new HashSet<>();
        int words = 0;
        for (String word : text.split("[^\\p{L}\\p{N}]+")) {
            if (word.isEmpty()) {
                continue;
            }
            words++;
            distinct.add(word.toLowerCase(Locale.ROOT));
            if (words % CHECK_EVERY == 0 && context.isCancelled()) {
                throw new CancellationException("cancelled after " + words + " words");
            }
        }
        return Map.of("words", words, "distinct", distinct.size());
    }
}
