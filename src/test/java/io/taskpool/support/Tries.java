package io.taskpool.support;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The seeds of a property test written as a parameterized test: one seed per try, shown in the
 * try's name. Every run draws new seeds, so the suite keeps exploring; a failing try is repeated
 * alone with {@code -Dtaskpool.seed=<its seed>}.
 */
public final class Tries {

    private Tries() {}

    /** {@code count} seeds, or only the one given in {@code taskpool.seed}. */
    public static Stream<Long> seeds(int count) {
        String fixed = System.getProperty("taskpool.seed");
        if (fixed != null && !fixed.isBlank()) {
            return Stream.of(Long.parseLong(fixed.trim()));
        }
        SplittableRandom base = new SplittableRandom();
        return LongStream.generate(base::nextLong).limit(count).boxed();
    }
}
