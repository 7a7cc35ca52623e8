package io.taskpool.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.taskpool.support.Tries;
import io.taskpool.worker.protocol.FrameStreams.Damage;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parent's decoder against generated streams, the way a worker's stdout reaches it: whatever
 * the bytes, reading ends in frames, a clean end of stream or a {@link ProtocolException}, and it
 * ends promptly. Any other exception would kill the worker's stdout reader without a word to the
 * supervisor, leaving its task RUNNING until the heartbeat timeout.
 */
class FrameCodecPropertiesTest {

    private static final int LIMIT = 4096;
    /** Generous for a few kilobytes in memory; a hang is what it catches, not slowness. */
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private final FrameCodec codec = new FrameCodec(LIMIT);

    static Stream<Long> seeds() {
        return Tries.seeds(200);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void wholeFramesComeBackAsWritten(long seed) {
        FrameStreams streams = new FrameStreams(seed);
        List<Frame> frames = streams.frames(8);
        InputStream in = new ByteArrayInputStream(FrameStreams.encode(codec, frames));

        List<Frame> decoded = assertTimeoutPreemptively(DEADLINE, () -> readUntilTheEnd(in));

        assertThat(decoded).isEqualTo(frames);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aDamagedStreamEndsInAProtocolErrorNeverInAnotherException(long seed) {
        FrameStreams streams = new FrameStreams(seed);
        List<Frame> frames = streams.frames(6);
        Damage damage = streams.damage();
        byte[] damaged = streams.damage(FrameStreams.encode(codec, frames), damage, codec, LIMIT);
        InputStream in = new ByteArrayInputStream(damaged);

        List<Frame> decoded = new ArrayList<>();
        assertTimeoutPreemptively(DEADLINE, () -> {
            try {
                while (true) {
                    decoded.add(codec.read(in));
                }
            } catch (EOFException | ProtocolException expected) {
                // the two ways a stream may end
            }
        }, () -> damage + " of " + damaged.length + " bytes");

        // The smallest frame is 6 bytes: no decoder state survives from one read to the next.
        assertThat(decoded.size()).as(damage.name()).isLessThanOrEqualTo(damaged.length / 6);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aStreamCutInsideAFrameIsAProtocolErrorNotACleanEnd(long seed) {
        FrameStreams streams = new FrameStreams(seed);
        List<Frame> frames = streams.frames(4);
        byte[] whole = FrameStreams.encode(codec, frames);
        byte[] lastFrame = FrameStreams.encode(codec, frames.subList(frames.size() - 1, frames.size()));
        // Cut after the first byte of the last frame and before its end.
        int cut = whole.length - lastFrame.length + 1 + (int) Math.floorMod(seed, (long) lastFrame.length - 1);
        InputStream in = new ByteArrayInputStream(java.util.Arrays.copyOf(whole, cut));

        assertTimeoutPreemptively(DEADLINE, () -> {
            for (Frame frame : frames.subList(0, frames.size() - 1)) {
                assertThat(codec.read(in)).isEqualTo(frame);
            }
            assertThatThrownBy(() -> codec.read(in)).isInstanceOf(ProtocolException.class);
        });
    }

    private List<Frame> readUntilTheEnd(InputStream in) throws IOException {
        List<Frame> decoded = new ArrayList<>();
        try {
            while (true) {
                decoded.add(codec.read(in));
            }
        } catch (EOFException end) {
            return decoded;
        }
    }
}
