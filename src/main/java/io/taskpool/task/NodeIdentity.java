package io.taskpool.task;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Who this process is in the store. {@code name} is the configured {@code taskpool.node-id}, or
 * the host name; {@code id} adds what is unique to this start of the process, and is the owner of
 * every task it claims. Two processes on one host (one host name) thus never take each other's
 * leases for their own, and a restarted process can tell its earlier lives' tasks from its own.
 *
 * @param named whether the name was configured: an operator who names each replica (a
 *     StatefulSet's pod name) promises that no other live process has it
 */
public record NodeIdentity(String name, String id, boolean named) {

    /** Separates the name from the start's token; the name may not hold it. */
    public static final char LIFE_SEPARATOR = '#';

    private static final SecureRandom RANDOM = new SecureRandom();

    public NodeIdentity {
        if (name.indexOf(LIFE_SEPARATOR) >= 0) {
            throw new IllegalArgumentException("a node name may not hold '" + LIFE_SEPARATOR + "': " + name);
        }
    }

    /** A new identity for this start of the process, under {@code name}. */
    public static NodeIdentity startingNow(String name, boolean named) {
        String life = Long.toString(RANDOM.nextLong() >>> 1, 36).toLowerCase(Locale.ROOT);
        return new NodeIdentity(name, name + LIFE_SEPARATOR + life, named);
    }
}
