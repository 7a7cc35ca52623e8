package io.taskpool.api;

import java.util.UUID;
import java.util.function.Function;

/** Ids in paths: a malformed id names no resource, so it gets the same 404 as an unknown one. */
final class ResourceIds {

    private ResourceIds() {}

    /** The id, in its canonical form only, else {@code notFound}'s exception. */
    static UUID parse(String id, Function<String, RuntimeException> notFound) {
        try {
            UUID uuid = UUID.fromString(id);
            if (uuid.toString().equalsIgnoreCase(id)) {
                return uuid;
            }
        } catch (IllegalArgumentException malformed) {
            // falls through to 404
        }
        throw notFound.apply(id);
    }
}
