package io.taskpool.support;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The seeds of a property test written as a parameterized test: one seed per try, shown in the
 * try's name. The build draws them from a fixed base, so a build's verdict does not depend on
 * the luck of the draw; {@code -Dtaskpool.explore=true} draws new ones on every run, to look for
 * inputs no build has tried, and a failing try is repeated alone with
 * {@code -Dtaskpool.seed=<its seed>}.
 */
public final class Tries {

    /** The base the build's seeds come from. */
    private static final long BUILD_BASE = 20_261_126L;

    private Tries() {}

    /** {@code count} seeds, or only the one given in {@code taskpool.seed}. */
    public static Stream<Long> seeds(int count) {
        String fixed = System.getProperty("taskpool.seed");
        if (fixed != null && !fixed.isBlank()) {
            return Stream.of(Long.parseLong(fixed.trim()));
        }
        SplittableRandom base = Boolean.getBoolean("taskpool.explore") ? new SplittableRandom()
                : new SplittableRandom(BUILD_BASE);
        return LongStream.generate(base::nextLong).limit(count).boxed();
    }
}
