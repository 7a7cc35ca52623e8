package io.taskpool.worker.runtime.builtin;

import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * {@code hash.sha256}: SHA-256 of {@code text} (as UTF-8), then of each previous 32-byte digest
 * for {@code rounds - 1} more rounds, like a simple key-stretching loop. Returns the last digest
 * as lowercase hex.
 */
public final class Sha256Handler implements TaskHandler {

    static final long MAX_ROUNDS = 10_000_000;

    /** Rounds between two cancellation checks: a few milliseconds of work. */
    private static final int CHECK_EVERY = 10_000;

    public Sha256Handler() {
    }

    @Override
    public String type() {
        return "hash.sha256";
    }

    @Override
    public String description() {
        return "SHA-256 of {\"text\": s}, re-hashed for {\"rounds\": r} rounds (default 1); lowercase hex";
    }

    /**
     * What {@link #run} reads: {@code text} required (null counts as missing); {@code rounds}
     * optional, null standing for absent; other fields are ignored.
     */
    @Override
    public String inputSchema() {
        return SchemaText.withNumbers("""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "required": ["text"],
                 "properties": {
                   "text": {"type": "string"},
                   "rounds": {"type": ["integer", "null"], "minimum": 1, "maximum": %d}}}""", MAX_ROUNDS);
    }

    @Override
    public Object run(TaskInput input, TaskContext context) throws NoSuchAlgorithmException {
        String text = input.requireString("text");
        long rounds = input.longValue("rounds", 1, 1, MAX_ROUNDS);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] digest = sha256.digest(text.getBytes(StandardCharsets.UTF_8));
        for (long round = 2; round <= rounds; round++) {
            if (round % CHECK_EVERY == 0) {
                if (context.isCancelled()) {
                    throw new CancellationException("cancelled after " + (round - 1) + " of " + rounds + " rounds");
                }
                context.progress((double) round / rounds, null);
            }
            digest = sha256.digest(digest);
        }
        return Map.of("hex", HexFormat.of().formatHex(digest));
    }
}
