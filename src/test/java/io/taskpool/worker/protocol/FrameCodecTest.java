package io.taskpool.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FrameCodecTest {

    private static final int LIMIT = 1024;

    private final FrameCodec codec = new FrameCodec(LIMIT);

    static Stream<Frame> everyFrame() {
        return Stream.of(
                new Run(1, "0b9e5a46-8d6f-4d1e-a3f3-0e6c2b1c7d11", "primes", "{\"limit\":100}"),
                new Run(Long.MAX_VALUE, null, null, null),
                new Run(-1, "", "", ""),
                new Cancel(42),
                new Shutdown(),
                new Hello(Frame.PROTOCOL_VERSION, 12345, List.of(
                        new TaskType("primes", "counts primes", "{\"type\": \"object\"}"),
                        new TaskType("ünï", null, null))),
                new Hello(Frame.PROTOCOL_VERSION, 1, List.of()),
                new Ack(7),
                new Progress(7, 0.5, "halfway ✓"),
                new Progress(7, 1.0, null),
                new Result(7, "{\"answer\":\"π ≈ 3.14159 — 日本語 😀\"}"),
                new Result(7, null),
                new Failed(7, FailureKind.TASK_ERROR, "java.lang.IllegalStateException", "boom",
                        "java.lang.IllegalStateException: boom\n\tat x.Y.z(Y.java:1)"),
                new Failed(7, FailureKind.CANCELLED, "", "", ""),
                new Failed(7, FailureKind.RESULT_TOO_LARGE, null, null, null),
                new Heartbeat(),
                new Log(7, "a line — ünï 😀"),
                new Log(7, ""),
                new Log(7, null));
    }

    @ParameterizedTest
    @MethodSource("everyFrame")
    void everyFrameRoundTrips(Frame frame) throws IOException {
        byte[] bytes = codec.encode(frame);

        assertThat(bytes[0]).isEqualTo((byte) FrameCodec.MAGIC);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(bytes.length - 5);
        assertThat(codec.read(new ByteArrayInputStream(bytes))).isEqualTo(frame);
    }

    @Test
    void framesFollowOneAnotherAndACleanEndIsEof() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Frame> frames = everyFrame().toList();
        for (Frame frame : frames) {
            codec.write(out, frame);
        }
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());

        for (Frame frame : frames) {
            assertThat(codec.read(in)).isEqualTo(frame);
        }
        assertThatThrownBy(() -> codec.read(in)).isExactlyInstanceOf(EOFException.class);
    }

    @Test
    void anEmptyStreamIsEof() {
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(new byte[0])))
                .isExactlyInstanceOf(EOFException.class);
    }

    @Test
    void textOnTheStreamIsRecognisedOnItsFirstByte() {
        byte[] text = "hello\n".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(text)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("0x68")
                .hasMessageContaining("'h'");
    }

    @Test
    void anUnprintableWrongFirstByteIsNamedInHex() {
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(new byte[] {0x00, 0x00, 0x00, 0x01})))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("0x00");
    }

    @Test
    void aLengthOverTheLimitIsRejectedBeforeReadingTheBody() {
        ByteArrayInputStream in = new ByteArrayInputStream(header(LIMIT + 1));

        assertThatThrownBy(() -> codec.read(in))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(String.valueOf(LIMIT + 1));
    }

    @Test
    void aNegativeOrZeroLengthIsRejected() {
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(header(-1))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("4294967295");
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(header(0))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("frame length 0");
    }

    @Test
    void aBodyOfExactlyTheLimitIsAccepted() throws IOException {
        // Result: tag (1) + request id (8) + string length (4) + text.
        Result result = new Result(1, "x".repeat(LIMIT - 13));

        byte[] bytes = codec.encode(result);

        assertThat(bytes).hasSize(LIMIT + 5);
        assertThat(codec.read(new ByteArrayInputStream(bytes))).isEqualTo(result);
    }

    @Test
    void encodingATooLargeFrameFails() {
        Result result = new Result(1, "x".repeat(LIMIT - 12));

        assertThatThrownBy(() -> codec.encode(result))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(String.valueOf(LIMIT + 1))
                .hasMessageContaining(String.valueOf(LIMIT));
    }

    @Test
    void aTooLargeFrameIsNotWrittenAtAll() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThatThrownBy(() -> codec.write(out, new Result(1, "ü".repeat(LIMIT))))
                .isInstanceOf(ProtocolException.class);
        assertThat(out.size()).isZero();
    }

    @Test
    void anEndInsideTheHeaderIsAProtocolError() {
        byte[] partialHeader = Arrays.copyOf(header(10), 3);

        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(partialHeader)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("header");
    }

    @Test
    void anEndInsideTheBodyIsAProtocolError() throws IOException {
        byte[] whole = codec.encode(new Result(1, "a result that gets cut off"));
        byte[] truncated = Arrays.copyOf(whole, whole.length - 4);

        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(truncated)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("stream ended inside a frame");
    }

    @Test
    void aBodyShorterThanItsFieldsIsAProtocolError() {
        // An Ack needs 8 bytes of request id; this body has 4.
        byte[] frame = frame(new byte[] {11, 0, 0, 0, 1});

        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(frame)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void aStringLongerThanItsFrameIsAProtocolError() {
        // A Result whose text claims 1000 bytes but carries 2.
        ByteBuffer body = ByteBuffer.allocate(1 + 8 + 4 + 2).put((byte) 13).putLong(1).putInt(1000).put((byte) 'o')
                .put((byte) 'k');

        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(frame(body.array()))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("string length 1000");
    }

    @Test
    void anUnknownTagIsAProtocolError() {
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(frame(new byte[] {99}))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("unknown frame tag 99");
    }

    @Test
    void anUnknownFailureKindIsAProtocolError() {
        ByteBuffer body = ByteBuffer.allocate(1 + 8 + 1 + 12).put((byte) 14).putLong(1).put((byte) 9)
                .putInt(-1).putInt(-1).putInt(-1);

        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(frame(body.array()))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("unknown failure kind 9");
    }

    @Test
    void trailingBytesInABodyAreAProtocolError() throws IOException {
        byte[] body = Arrays.copyOfRange(codec.encode(new Ack(5)), 5, 5 + 9);
        byte[] padded = Arrays.copyOf(body, body.length + 2);

        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(frame(padded))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("trailing");
    }

    private static byte[] header(int length) {
        return ByteBuffer.allocate(5).put((byte) FrameCodec.MAGIC).putInt(length).array();
    }

    private static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put(header(body.length)).put(body).array();
    }
}
