package io.taskpool.api;

import io.taskpool.task.Idempotency;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 digest of a request's meaning: its fields as named values, inputs as normalised JSON.
 * Two bodies that differ only in white space digest alike, so a client's retry of a request is
 * recognised as the same request.
 */
final class RequestDigest {

    /** Header that makes a submission idempotent. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final MessageDigest sha256;

    RequestDigest() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    RequestDigest addIfPresent(String name, Object value) {
        return value == null ? this : add(name, value);
    }

    RequestDigest add(String name, Object value) {
        sha256.update(name.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0);
        // Absent and empty differ: a marker byte says which.
        sha256.update(value == null ? (byte) 0 : (byte) 1);
        if (value != null) {
            sha256.update(String.valueOf(value).getBytes(StandardCharsets.UTF_8));
        }
        sha256.update((byte) 0);
        return this;
    }

    String hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    /**
     * Checks a client's key: 1 to 200 visible ASCII characters, as it is stored and compared
     * exactly. Returns {@code null} when there is none.
     */
    static String checkKey(String key) {
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > 200 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new BadRequestException(IDEMPOTENCY_KEY, "the Idempotency-Key header must be 1 to 200 visible"
                    + " ASCII characters (a UUID is a good choice)");
        }
        return key;
    }

    static Idempotency idempotency(String key, RequestDigest digest) {
        return key == null ? null : new Idempotency(key, digest.hex());
    }
}
