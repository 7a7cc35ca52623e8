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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes and reads {@link Frame}s. On the wire a frame is
 * {@code MAGIC (1 byte) | body length (4 bytes, big-endian) | tag (1 byte) | fields}, strings as
 * a 4-byte length and UTF-8 bytes. The magic byte is not printable text, so a stray
 * {@code println} on the worker's stdout is recognised on its very first byte instead of being
 * read as a length.
 */
public final class FrameCodec {

    static final int MAGIC = 0xF7;

    private static final byte RUN = 1;
    private static final byte CANCEL = 2;
    private static final byte SHUTDOWN = 3;
    private static final byte HELLO = 10;
    private static final byte ACK = 11;
    private static final byte PROGRESS = 12;
    private static final byte RESULT = 13;
    private static final byte FAILED = 14;
    private static final byte HEARTBEAT = 15;
    private static final byte LOG = 16;

    private final int maxFrameBytes;

    /** @param maxFrameBytes the largest body accepted or written; larger is a protocol error */
    public FrameCodec(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Encodes a frame, header included. Throws {@link ProtocolException} if it is too large. */
    public byte[] encode(Frame frame) throws ProtocolException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(body)) {
            writeBody(out, frame);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        if (body.size() > maxFrameBytes) {
            throw new ProtocolException("frame of " + body.size() + " bytes exceeds the limit of " + maxFrameBytes);
        }
        // Header and body in one array, so the frame leaves in one write.
        byte[] frameBytes = new byte[5 + body.size()];
        frameBytes[0] = (byte) MAGIC;
        int length = body.size();
        frameBytes[1] = (byte) (length >>> 24);
        frameBytes[2] = (byte) (length >>> 16);
        frameBytes[3] = (byte) (length >>> 8);
        frameBytes[4] = (byte) length;
        System.arraycopy(body.toByteArray(), 0, frameBytes, 5, length);
        return frameBytes;
    }

    /** Writes one frame and flushes, so the peer sees it at once. */
    public void write(OutputStream out, Frame frame) throws IOException {
        out.write(encode(frame));
        out.flush();
    }

    /**
     * Reads the next frame, blocking until it has arrived whole.
     *
     * @throws EOFException at a clean end of stream (between frames)
     * @throws ProtocolException on anything that is not a valid frame within the size limit
     */
    public Frame read(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException();
        }
        if (first != MAGIC) {
            throw new ProtocolException(String.format("expected a frame, got byte 0x%02x%s", first, printable(first)));
        }
        DataInputStream data = new DataInputStream(in);
        int length;
        try {
            length = data.readInt();
        } catch (EOFException e) {
            throw new ProtocolException("stream ended inside a frame header");
        }
        if (length <= 0 || length > maxFrameBytes) {
            throw new ProtocolException("frame length " + Integer.toUnsignedString(length)
                    + " is outside 1.." + maxFrameBytes);
        }
        byte[] body = new byte[length];
        try {
            data.readFully(body);
        } catch (EOFException e) {
            throw new ProtocolException("stream ended inside a frame of " + length + " bytes");
        }
        return decodeBody(body);
    }

    private static String printable(int b) {
        return b >= 0x20 && b < 0x7f ? " ('" + (char) b + "')" : "";
    }

    // Java 17 has no pattern matching in switch, hence the instanceof chain.
    private static void writeBody(DataOutputStream out, Frame frame) throws IOException {
        if (frame instanceof Run run) {
            out.writeByte(RUN);
            out.writeLong(run.requestId());
            writeString(out, run.taskId());
            writeString(out, run.type());
            writeString(out, run.inputJson());
        } else if (frame instanceof Cancel cancel) {
            out.writeByte(CANCEL);
            out.writeLong(cancel.requestId());
        } else if (frame instanceof Shutdown) {
            out.writeByte(SHUTDOWN);
        } else if (frame instanceof Hello hello) {
            out.writeByte(HELLO);
            out.writeInt(hello.protocolVersion());
            out.writeLong(hello.pid());
            out.writeInt(hello.types().size());
            for (TaskType type : hello.types()) {
                writeString(out, type.type());
                writeString(out, type.description());
                writeString(out, type.inputSchema());
            }
        } else if (frame instanceof Ack ack) {
            out.writeByte(ACK);
            out.writeLong(ack.requestId());
        } else if (frame instanceof Progress progress) {
            out.writeByte(PROGRESS);
            out.writeLong(progress.requestId());
            out.writeDouble(progress.fraction());
            writeString(out, progress.message());
        } else if (frame instanceof Result result) {
            out.writeByte(RESULT);
            out.writeLong(result.requestId());
            writeString(out, result.resultJson());
        } else if (frame instanceof Failed failed) {
            out.writeByte(FAILED);
            out.writeLong(failed.requestId());
            out.writeByte(failed.kind().ordinal());
            writeString(out, failed.errorType());
            writeString(out, failed.message());
            writeString(out, failed.stackTrace());
        } else if (frame instanceof Heartbeat) {
            out.writeByte(HEARTBEAT);
        } else if (frame instanceof Log logLine) {
            out.writeByte(LOG);
            out.writeLong(logLine.requestId());
            writeString(out, logLine.text());
        } else {
            throw new IllegalArgumentException("unknown frame " + frame);
        }
    }

    private static Frame decodeBody(byte[] body) throws ProtocolException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
        try {
            byte tag = in.readByte();
            Frame frame = switch (tag) {
                case RUN -> new Run(in.readLong(), readString(in), readString(in), readString(in));
                case CANCEL -> new Cancel(in.readLong());
                case SHUTDOWN -> new Shutdown();
                case HELLO -> readHello(in);
                case ACK -> new Ack(in.readLong());
                case PROGRESS -> new Progress(in.readLong(), in.readDouble(), readString(in));
                case RESULT -> new Result(in.readLong(), readString(in));
                case FAILED -> new Failed(in.readLong(), readKind(in), readString(in), readString(in), readString(in));
                case HEARTBEAT -> new Heartbeat();
                case LOG -> new Log(in.readLong(), readString(in));
                default -> throw new ProtocolException("unknown frame tag " + tag);
            };
            if (in.available() > 0) {
                throw new ProtocolException("frame tag " + tag + " has " + in.available() + " trailing bytes");
            }
            return frame;
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            throw new ProtocolException("truncated frame body of " + body.length + " bytes");
        }
    }

    private static Hello readHello(DataInputStream in) throws IOException {
        int version = in.readInt();
        long pid = in.readLong();
        int count = in.readInt();
        if (count < 0 || count > 10_000) {
            throw new ProtocolException("hello lists " + count + " task types");
        }
        List<TaskType> types = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            types.add(new TaskType(readString(in), readString(in), readString(in)));
        }
        return new Hello(version, pid, List.copyOf(types));
    }

    private static FailureKind readKind(DataInputStream in) throws IOException {
        int ordinal = in.readUnsignedByte();
        FailureKind[] kinds = FailureKind.values();
        if (ordinal >= kinds.length) {
            throw new ProtocolException("unknown failure kind " + ordinal);
        }
        return kinds[ordinal];
    }

    /** Null is written as length -1, so optional texts survive the round trip. */
    private static void writeString(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > in.available()) {
            throw new ProtocolException("string length " + length + " exceeds the frame");
        }
        byte[] bytes = in.readNBytes(length);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
