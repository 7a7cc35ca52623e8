package io.taskpool.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no client library would send: any bytes in the
 * request target, header values and body. One request per connection; a response body is read
 * up to a bound, and not at all for an event stream.
 */
public final class RawHttp {

    private static final int MAX_BODY_BYTES = 256 * 1024;
    private static final int READ_TIMEOUT_MILLIS = 20_000;

    private RawHttp() {}

    /** What came back; header names in lower case. */
    public record Reply(int status, Map<String, String> headers, String body) {
        public String contentType() {
            return headers.getOrDefault("content-type", "");
        }
    }

    /** Sends {@code head} (request line and headers, without the blank line) and {@code body}. */
    public static Reply exchange(int port, byte[] head, byte[] body) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            IOException writeFailed = null;
            try {
                OutputStream out = socket.getOutputStream();
                out.write(head);
                out.write("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // The server may refuse a request before reading all of it (its head, or a body
                // over the limit): it answers and closes, and the rest of the write fails. Its
                // answer is what the caller asked for, so read it.
                writeFailed = e;
            }
            InputStream in = socket.getInputStream();
            String statusLine;
            try {
                statusLine = readLine(in);
            } catch (IOException e) {
                if (writeFailed != null) {
                    writeFailed.addSuppressed(e);
                    throw writeFailed;
                }
                throw e;
            }
            if (statusLine == null || statusLine.length() < 12) {
                IOException none = new IOException("no status line, got: " + statusLine);
                if (writeFailed != null) {
                    none.addSuppressed(writeFailed);
                }
                throw none;
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            boolean stream = headers.getOrDefault("content-type", "").startsWith("text/event-stream");
            String text = stream ? "" : new String(in.readNBytes(MAX_BODY_BYTES), StandardCharsets.UTF_8);
            return new Reply(status, headers, text);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
