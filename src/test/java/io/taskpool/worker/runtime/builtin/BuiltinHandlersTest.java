package io.taskpool.worker.runtime.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.taskpool.spi.InvalidInputException;
import io.taskpool.spi.TaskContext;
import io.taskpool.spi.TaskHandler;
import io.taskpool.spi.TaskInput;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CancellationException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuiltinHandlersTest {

    /** Long enough that a test passing in time proves the handler stopped early. */
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    /** A context that turns cancelled on its n-th poll and records every progress report. */
    private static final class ScriptedContext implements TaskContext {

        private final int cancelOnPoll;
        private int polls;
        final List<Double> progress = new ArrayList<>();

        private ScriptedContext(int cancelOnPoll) {
            this.cancelOnPoll = cancelOnPoll;
        }

        static ScriptedContext running() {
            return new ScriptedContext(Integer.MAX_VALUE);
        }

        static ScriptedContext cancelledOnPoll(int poll) {
            return new ScriptedContext(poll);
        }

        @Override
        public String taskId() {
            return "t-1";
        }

        @Override
        public boolean isCancelled() {
            return ++polls >= cancelOnPoll;
        }

        @Override
        public void progress(double fraction, String message) {
            progress.add(fraction);
        }
    }

    private static Object run(TaskHandler handler, Map<String, Object> input) throws Exception {
        return handler.run(new TaskInput(input), ScriptedContext.running());
    }

    @Test
    void serviceFileListsEveryBuiltinWithUniqueTypes() {
        Map<String, String> types = ServiceLoader.load(TaskHandler.class).stream()
                .map(ServiceLoader.Provider::get)
                .collect(Collectors.toMap(TaskHandler::type, TaskHandler::description));

        assertThat(types).containsKeys("noop", "sleep", "primes.count", "pi.montecarlo", "hash.sha256");
        assertThat(types.values()).allSatisfy(description -> assertThat(description).isNotBlank());
    }

    @Nested
    class Noop {

        @Test
        void returnsItsInput() throws Exception {
            Map<String, Object> input = Map.of("a", 1L, "b", List.of("x"));

            assertThat(run(new NoopHandler(), input)).isEqualTo(input);
        }
    }

    @Nested
    class Sleep {

        @Test
        void sleepsForTheRequestedTime() throws Exception {
            Object result = run(new SleepHandler(), Map.of("ms", 20L));

            assertThat(result).isInstanceOfSatisfying(Map.class,
                    map -> assertThat((Long) map.get("sleptMs")).isGreaterThanOrEqualTo(20L));
        }

        @Test
        void zeroMillisecondsReturnsAtOnce() {
            Object result = assertTimeoutPreemptively(DEADLINE, () -> run(new SleepHandler(), Map.of("ms", 0L)));

            assertThat(result).isInstanceOfSatisfying(Map.class,
                    map -> assertThat((Long) map.get("sleptMs")).isLessThan(DEADLINE.toMillis()));
        }

        @Test
        void stopsSoonAfterTheContextSaysCancelled() {
            ScriptedContext context = ScriptedContext.cancelledOnPoll(3);

            Object result = assertTimeoutPreemptively(DEADLINE,
                    () -> new SleepHandler().run(new TaskInput(Map.of("ms", SleepHandler.MAX_MS)), context));

            assertThat(result).isInstanceOfSatisfying(Map.class,
                    map -> assertThat((Long) map.get("sleptMs")).isLessThan(DEADLINE.toMillis()));
        }

        @Test
        void treatsAnInterruptAsCancellation() {
            Thread.currentThread().interrupt();
            try {
                Object result = new SleepHandler().run(new TaskInput(Map.of("ms", SleepHandler.MAX_MS)),
                        ScriptedContext.running());

                assertThat(result).isInstanceOfSatisfying(Map.class,
                        map -> assertThat((Long) map.get("sleptMs")).isLessThan(DEADLINE.toMillis()));
                assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag kept").isTrue();
            } finally {
                Thread.interrupted();
            }
        }

        @Test
        void rejectsAnOutOfRangeDuration() {
            assertThatThrownBy(() -> run(new SleepHandler(), Map.of("ms", SleepHandler.MAX_MS + 1)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'ms'");
            assertThatThrownBy(() -> run(new SleepHandler(), Map.of()))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'ms' is required");
        }
    }

    @Nested
    class PrimesCount {

        /** The number of primes below each index, by the textbook sieve, for comparison. */
        private static final int[] PRIMES_BELOW = naivePrimeCounts(1_100_000);

        private static int[] naivePrimeCounts(int limit) {
            boolean[] composite = new boolean[limit];
            int[] below = new int[limit + 1];
            for (int n = 2; n < limit; n++) {
                below[n + 1] = below[n] + (composite[n] ? 0 : 1);
                if (!composite[n]) {
                    for (long m = (long) n * n; m < limit; m += n) {
                        composite[(int) m] = true;
                    }
                }
            }
            return below;
        }

        private long count(long below) throws Exception {
            Map<?, ?> result = (Map<?, ?>) run(new PrimesCountHandler(), Map.of("below", below));
            return (Long) result.get("count");
        }

        @Test
        void countsTheKnownNumberBelowOneMillion() throws Exception {
            assertThat(count(1_000_000)).isEqualTo(78_498);
        }

        @Test
        void countsTheKnownNumberBelowTenMillion() throws Exception {
            assertThat(count(10_000_000)).isEqualTo(664_579);
        }

        @Test
        void handlesTheSmallestInputs() throws Exception {
            assertThat(count(0)).isZero();
            assertThat(count(1)).isZero();
            assertThat(count(2)).isZero();
            assertThat(count(3)).isEqualTo(1);
            assertThat(count(4)).isEqualTo(2);
        }

        @Test
        void agreesWithTheTextbookSieveForSmallInputs() throws Exception {
            for (int below = 0; below <= 1000; below++) {
                assertThat(count(below)).as("primes below %d", below).isEqualTo(PRIMES_BELOW[below]);
            }
        }

        /** Segments span 2^18 numbers starting at 3; these straddle the first few boundaries. */
        @ParameterizedTest
        @ValueSource(ints = {262_144, 262_145, 262_146, 262_147, 262_148, 262_149, 524_290, 524_291, 524_292,
            786_433, 786_435, 786_436, 1_048_576, 1_048_583, 1_048_584})
        void agreesWithTheTextbookSieveAcrossSegmentBoundaries(int below) throws Exception {
            assertThat(count(below)).isEqualTo(PRIMES_BELOW[below]);
        }

        @Test
        void reportsRisingProgressBelowOne() throws Exception {
            ScriptedContext context = ScriptedContext.running();

            new PrimesCountHandler().run(new TaskInput(Map.of("below", 10_000_000L)), context);

            assertThat(context.progress).hasSizeBetween(5, 25).isSorted().allSatisfy(
                    fraction -> assertThat(fraction).isStrictlyBetween(0.0, 1.0));
        }

        @Test
        void stopsWhenCancelled() {
            ScriptedContext context = ScriptedContext.cancelledOnPoll(2);

            assertThatThrownBy(() -> new PrimesCountHandler().run(
                    new TaskInput(Map.of("below", PrimesCountHandler.MAX_BELOW)), context))
                    .isInstanceOf(CancellationException.class);
        }

        @Test
        void namesTheFieldInInputErrors() {
            assertThatThrownBy(() -> run(new PrimesCountHandler(), Map.of("below", "x")))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("input field 'below' must be an integer");
            assertThatThrownBy(() -> run(new PrimesCountHandler(), Map.of("below", 2.5)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("below");
            assertThatThrownBy(() -> run(new PrimesCountHandler(), Map.of("below", -1L)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("below");
            assertThatThrownBy(() -> run(new PrimesCountHandler(), Map.of("below", PrimesCountHandler.MAX_BELOW + 1)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("below");
            assertThatThrownBy(() -> run(new PrimesCountHandler(), Map.of()))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("input field 'below' is required");
        }

        @Test
        void acceptsAnIntegralDouble() throws Exception {
            Map<?, ?> result = (Map<?, ?>) run(new PrimesCountHandler(), Map.of("below", 1e6));

            assertThat(result.get("count")).isEqualTo(78_498L);
        }
    }

    @Nested
    class PiMonteCarlo {

        private static double estimate(Map<String, Object> input) throws Exception {
            return (Double) ((Map<?, ?>) run(new PiMonteCarloHandler(), input)).get("estimate");
        }

        @Test
        void estimatesPiWithinOneHundredthFromAMillionSamples() throws Exception {
            Map<?, ?> result = (Map<?, ?>) run(new PiMonteCarloHandler(), Map.of());

            assertThat((Double) result.get("estimate")).isCloseTo(Math.PI, within(0.01));
            assertThat(result.get("samples")).isEqualTo(1_000_000L);
        }

        @Test
        void isDeterministicForASeed() throws Exception {
            Map<String, Object> input = Map.of("samples", 100_000L, "seed", 7L);

            assertThat(estimate(input)).isEqualTo(estimate(input));
            assertThat(estimate(input)).isNotEqualTo(estimate(Map.of("samples", 100_000L, "seed", 8L)));
        }

        @Test
        void takesOneSample() throws Exception {
            assertThat(estimate(Map.of("samples", 1L))).isIn(0.0, 4.0);
        }

        @Test
        void stopsWhenCancelled() {
            ScriptedContext context = ScriptedContext.cancelledOnPoll(2);

            assertThatThrownBy(() -> new PiMonteCarloHandler().run(
                    new TaskInput(Map.of("samples", PiMonteCarloHandler.MAX_SAMPLES)), context))
                    .isInstanceOf(CancellationException.class);
            assertThat(context.progress).hasSize(1);
        }

        @Test
        void namesTheFieldInInputErrors() {
            assertThatThrownBy(() -> run(new PiMonteCarloHandler(), Map.of("samples", 0L)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'samples'");
            assertThatThrownBy(() -> run(new PiMonteCarloHandler(), Map.of("seed", "x")))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'seed'");
            // 2^64 would wrap to 0 if taken with longValue().
            assertThatThrownBy(() -> run(new PiMonteCarloHandler(), Map.of("seed", BigInteger.ONE.shiftLeft(64))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'seed'");
        }
    }

    @Nested
    class Sha256 {

        private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

        private static String hex(Map<String, Object> input) throws Exception {
            return (String) ((Map<?, ?>) run(new Sha256Handler(), input)).get("hex");
        }

        @Test
        void hashesTextAsUtf8() throws Exception {
            assertThat(hex(Map.of("text", "abc"))).isEqualTo(ABC);
            assertThat(hex(Map.of("text", "")))
                    .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        }

        @Test
        void eachFurtherRoundHashesThePreviousDigestBytes() throws Exception {
            byte[] second = MessageDigest.getInstance("SHA-256").digest(HexFormat.of().parseHex(ABC));

            assertThat(hex(Map.of("text", "abc", "rounds", 2L))).isEqualTo(HexFormat.of().formatHex(second));
        }

        @Test
        void manyRoundsMatchARepeatedDigest() throws Exception {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha256.digest("h\u00e9".getBytes(StandardCharsets.UTF_8));
            for (int round = 2; round <= 25_000; round++) {
                digest = sha256.digest(digest);
            }

            assertThat(hex(Map.of("text", "h\u00e9", "rounds", 25_000L))).isEqualTo(HexFormat.of().formatHex(digest));
        }

        @Test
        void stopsWhenCancelled() {
            ScriptedContext context = ScriptedContext.cancelledOnPoll(1);

            assertThatThrownBy(() -> new Sha256Handler().run(
                    new TaskInput(Map.of("text", "abc", "rounds", Sha256Handler.MAX_ROUNDS)), context))
                    .isInstanceOf(CancellationException.class)
                    .hasMessageContaining("9999 of 10000000");
        }

        @Test
        void namesTheFieldInInputErrors() {
            assertThatThrownBy(() -> run(new Sha256Handler(), Map.of()))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("input field 'text' is required");
            assertThatThrownBy(() -> run(new Sha256Handler(), Map.of("text", 5L)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("input field 'text' must be a string");
            assertThatThrownBy(() -> run(new Sha256Handler(), Map.of("text", "a", "rounds", 0L)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'rounds'");
        }
    }
}
