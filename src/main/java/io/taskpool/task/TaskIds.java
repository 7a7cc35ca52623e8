package io.taskpool.task;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * New ids for tasks and batches: version 7 UUIDs (RFC 9562), whose first 48 bits are the time in
 * milliseconds. Ids made close in time sort close together, so a batch's items land next to each
 * other in the primary key index instead of all over it, which keeps large inserts fast.
 */
public final class TaskIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TaskIds() {}

    public static UUID next() {
        long millis = System.currentTimeMillis();
        long randomA = RANDOM.nextInt(1 << 12);
        long mostSignificant = (millis << 16) | 0x7000L | randomA;
        long leastSignificant = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(mostSignificant, leastSignificant);
    }
}
