package io.taskpool.worker.protocol;

import io.taskpool.worker.protocol.Frame.Ack;
import io.taskpool.worker.protocol.Frame.Cancel;
import io.taskpool.worker.protocol.Frame.Failed;
import io.taskpool.worker.protocol.Frame.FailureKind;
import io.taskpool.worker.protocol.Frame.Heartbeat;
import io.taskpool.worker.protocol.Frame.Hello;
import io.taskpool.worker.protocol.Frame.Log;
import io.taskpool.worker.protocol.Frame.Progress;
import io.taskpool.worker.protocol.Frame.Result;
import io.taskpool.worker.protocol.Frame.Run;
import io.taskpool.worker.protocol.Frame.Shutdown;
import io.taskpool.worker.protocol.Frame.TaskType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random frames, and the ways a byte stream of frames gets broken: cut short, bytes flipped,
 * text or noise in between, a length header that lies, two writers' frames interleaved. The
 * codec tests and the worker tests draw their streams from here.
 */
public final class FrameStreams {

    /**
     * Characters to build texts from, one code point each: well-formed Unicode only, since a lone
     * surrogate cannot survive UTF-8 on any codec (it arrives as '?'). Invalid bytes on the wire
     * come from the damage below instead.
     */
    private static final String[] CODE_POINTS = {
        "a", "z", "0", "9", " ", "_", "-", "\u00e9", "\u00df", "\u65e5", "\u03c0", "\u2713",
        "\n", "\r", "\t", "\u0000", "\u007f", "\"", "\\", "{", "}", "[", "]", ":", ",",
        "\ud83d\ude00", "\ud800\udc00", "\udbff\udfff",
    };

    private final SplittableRandom random;

    public FrameStreams(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The generator's own random source, for the choices a test makes around its streams. */
    public java.util.random.RandomGenerator random() {
        return random;
    }

    /** Any text of up to {@code maxCodePoints}, sometimes empty or null. */
    public String text(int maxCodePoints) {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return null;
        }
        if (kind == 1) {
            return "";
        }
        int length = random.nextInt(maxCodePoints + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(CODE_POINTS[random.nextInt(CODE_POINTS.length)]);
        }
        return text.toString();
    }

    private long requestId() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Long.MAX_VALUE;
            default -> random.nextLong();
        };
    }

    private double fraction() {
        double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, -0.0, -1, 2, Double.MIN_VALUE};
        return random.nextBoolean() ? random.nextDouble() : odd[random.nextInt(odd.length)];
    }

    /** A frame of any kind, either direction, with odd field values. */
    public Frame frame() {
        return switch (random.nextInt(10)) {
            case 0 -> new Run(requestId(), text(40), text(20), text(60));
            case 1 -> new Cancel(requestId());
            case 2 -> new Shutdown();
            case 3 -> new Hello(random.nextInt(), random.nextLong(), taskTypes());
            case 4 -> new Ack(requestId());
            case 5 -> new Progress(requestId(), fraction(), text(40));
            case 6 -> new Result(requestId(), text(60));
            case 7 -> new Failed(requestId(), FailureKind.values()[random.nextInt(FailureKind.values().length)],
                    text(20), text(40), text(60));
            case 8 -> new Heartbeat();
            default -> new Log(requestId(), text(60));
        };
    }

    private List<TaskType> taskTypes() {
        List<TaskType> types = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            types.add(new TaskType(text(20), text(20), text(20)));
        }
        return types;
    }

    /** One to {@code maxFrames} random frames, each encoded whole. */
    public List<Frame> frames(int maxFrames) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 1 + random.nextInt(maxFrames); i > 0; i--) {
            frames.add(frame());
        }
        return frames;
    }

    public static byte[] encode(FrameCodec codec, List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame frame : frames) {
            try {
                out.write(codec.encode(frame));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("frame does not fit the codec's limit: " + e.getMessage(), e);
            }
        }
        return out.toByteArray();
    }

    /** The ways a stream gets broken; each one breaks it at a random place. */
    public enum Damage {
        /** The writer died: the stream stops at any byte. */
        TRUNCATED,
        /** One byte changed. */
        FLIPPED,
        /** A println or random noise between, or inside, frames. */
        NOISE,
        /** A header announcing a body over the limit, zero, or negative, followed by anything. */
        OVERSIZED,
        /** A second writer's frame spliced into the middle of another. */
        INTERLEAVED,
        /** Nothing but random bytes, sometimes starting with the magic byte. */
        RANDOM_BYTES
    }

    public Damage damage() {
        return Damage.values()[random.nextInt(Damage.values().length)];
    }

    /** {@code stream} with {@code damage} done to it at a random place. */
    public byte[] damage(byte[] stream, Damage damage, FrameCodec codec, int maxFrameBytes) {
        int at = random.nextInt(stream.length + 1);
        return switch (damage) {
            case TRUNCATED -> Arrays.copyOf(stream, Math.min(at, Math.max(0, stream.length - 1)));
            case FLIPPED -> {
                byte[] copy = stream.clone();
                int index = random.nextInt(copy.length);
                copy[index] = (byte) (copy[index] ^ (1 + random.nextInt(255)));
                yield copy;
            }
            case NOISE -> insert(stream, at, random.nextBoolean()
                    ? "a line printed by a task\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    : bytes(1 + random.nextInt(64)));
            case OVERSIZED -> {
                int[] lengths = {maxFrameBytes + 1, Integer.MAX_VALUE, 0, -1, Integer.MIN_VALUE,
                        maxFrameBytes + 1 + random.nextInt(1 << 20)};
                int length = lengths[random.nextInt(lengths.length)];
                byte[] header = {(byte) FrameCodec.MAGIC, (byte) (length >>> 24), (byte) (length >>> 16),
                        (byte) (length >>> 8), (byte) length};
                yield insert(stream, at, concat(header, bytes(random.nextInt(32))));
            }
            case INTERLEAVED -> insert(stream, 1 + random.nextInt(stream.length),
                    encode(codec, List.of(frame())));
            case RANDOM_BYTES -> {
                byte[] noise = bytes(1 + random.nextInt(256));
                if (random.nextBoolean()) {
                    noise[0] = (byte) FrameCodec.MAGIC;
                }
                yield noise;
            }
        };
    }

    private byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] insert(byte[] stream, int at, byte[] inserted) {
        return concat(Arrays.copyOf(stream, at), inserted, Arrays.copyOfRange(stream, at, stream.length));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
