package io.taskpool.worker.runtime;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker's JSON codec: task input arrives as JSON text in a {@code Run} frame and a handler's
 * result leaves as JSON text in a {@code Result} frame. The child JVM carries no libraries besides
 * the JDK, so this is a small strict reader and writer of RFC 8259 JSON.
 *
 * <p>Parsed values: objects are {@link LinkedHashMap}s (member order kept; a duplicate key is an
 * error, since which one "wins" differs between parsers), arrays are {@link ArrayList}s, strings
 * {@link String}, {@code true}/{@code false} {@link Boolean}, {@code null} {@code null}. A number
 * without fraction or exponent is a {@link Long}, or a {@link BigInteger} when it does not fit in
 * a long; any other number is a {@link Double}, or a {@link BigDecimal} when its magnitude is
 * beyond a double's range (so that {@code 1e400} is not silently infinite).
 *
 * <p>Strictness: no trailing input after the value, no leading zeros, no raw control characters
 * in strings, no comments, no single quotes, nesting at most {@link #MAX_DEPTH} deep. Errors are
 * {@link IllegalArgumentException}s naming the character position (0-based) where parsing failed.
 * An escaped unpaired surrogate ({@code "\uD800"}) is accepted, as the grammar allows, and the
 * writer escapes unpaired surrogates the same way, so such a string survives a round trip
 * through UTF-8 instead of turning into {@code '?'}.
 */
final class Json {

    /**
     * Deepest nesting of arrays and objects read or written. Deep enough for any real task input
     * or result; shallow enough that the recursion stays far from a stack overflow, and that a
     * collection containing itself fails with a clear message.
     */
    static final int MAX_DEPTH = 512;

    private Json() {
    }

    /** Parses text that must hold exactly one JSON value of any kind. */
    static Object parse(String text) {
        return new Reader(text).document();
    }

    /** Parses text that must hold exactly one JSON object, such as a task's input. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String text) {
        Reader reader = new Reader(text);
        reader.skipWhitespace();
        if (reader.pos >= text.length() || text.charAt(reader.pos) != '{') {
            throw reader.error("expected a JSON object but found " + reader.describe(reader.pos));
        }
        return (Map<String, Object>) reader.document();
    }

    /**
     * Writes a value as compact JSON text: maps, iterables, arrays, strings, characters, numbers,
     * booleans, {@code null}, enums (as their name) and records (as an object of their
     * components).
     *
     * @throws IllegalArgumentException for any other type, a non-finite float or double, or
     *     nesting deeper than {@link #MAX_DEPTH}
     */
    static String write(Object value) {
        StringBuilder out = new StringBuilder(64);
        Writer.value(out, value, 0);
        return out.toString();
    }

    /** One parse: the text and a cursor over it. */
    private static final class Reader {

        private final String text;
        private int pos;

        Reader(String text) {
            if (text == null) {
                throw new IllegalArgumentException("JSON text is null");
            }
            this.text = text;
        }

        Object document() {
            skipWhitespace();
            Object value = value(0);
            skipWhitespace();
            if (pos < text.length()) {
                throw error("unexpected " + describe(pos) + " after the value");
            }
            return value;
        }

        private Object value(int depth) {
            if (pos >= text.length()) {
                throw error("expected a value but the input ended");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object(depth + 1);
                case '[' -> array(depth + 1);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c != '-' && !isDigit(c)) {
                        throw error("expected a value but found " + describe(pos));
                    }
                    yield number();
                }
            };
        }

        private Map<String, Object> object(int depth) {
            checkDepth(depth);
            pos++; // '{'
            Map<String, Object> members = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return members;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a string key but found " + describe(pos));
                }
                int keyAt = pos;
                String key = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                Object member = value(depth);
                if (members.containsKey(key)) {
                    pos = keyAt;
                    throw error("duplicate key \"" + key + "\"");
                }
                members.put(key, member);
                skipWhitespace();
                char next = peek();
                pos++;
                if (next == '}') {
                    return members;
                }
                if (next != ',') {
                    pos--;
                    throw error("expected ',' or '}' but found " + describe(pos));
                }
            }
        }

        private List<Object> array(int depth) {
            checkDepth(depth);
            pos++; // '['
            List<Object> elements = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return elements;
            }
            while (true) {
                skipWhitespace();
                elements.add(value(depth));
                skipWhitespace();
                char next = peek();
                pos++;
                if (next == ']') {
                    return elements;
                }
                if (next != ',') {
                    pos--;
                    throw error("expected ',' or ']' but found " + describe(pos));
                }
            }
        }

        private String string() {
            pos++; // opening quote
            int start = pos;
            // Fast path: most strings have no escapes and come out as one substring.
            int i = start;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c == '"') {
                    pos = i + 1;
                    return text.substring(start, i);
                }
                if (c == '\\' || c < 0x20) {
                    break;
                }
                i++;
            }
            StringBuilder out = new StringBuilder(i - start + 16).append(text, start, i);
            pos = i;
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated string starting at position " + (start - 1));
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    pos++;
                    return out.toString();
                }
                if (c < 0x20) {
                    throw error("control character " + describe(pos) + " in a string must be escaped");
                }
                if (c != '\\') {
                    out.append(c);
                    pos++;
                    continue;
                }
                pos++;
                if (pos >= text.length()) {
                    throw error("unterminated string starting at position " + (start - 1));
                }
                char escaped = text.charAt(pos);
                switch (escaped) {
                    case '"', '\\', '/' -> out.append(escaped);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        // A surrogate pair arrives as two escapes; appending both chars joins them.
                        out.append(hexChar(pos + 1));
                        pos += 4;
                    }
                    default -> throw error("invalid escape '\\" + escaped + "'");
                }
                pos++;
            }
        }

        private char hexChar(int at) {
            if (at + 4 > text.length()) {
                pos = at;
                throw error("truncated \\u escape");
            }
            int code = 0;
            for (int i = at; i < at + 4; i++) {
                int digit = hexDigit(text.charAt(i));
                if (digit < 0) {
                    pos = i;
                    throw error("invalid hex digit " + describe(i) + " in \\u escape");
                }
                code = code * 16 + digit;
            }
            return (char) code;
        }

        /** ASCII hex only: {@link Character#digit} would also accept other scripts' digits. */
        private static int hexDigit(char c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            return -1;
        }

        private Number number() {
            int start = pos;
            if (text.charAt(pos) == '-') {
                pos++;
            }
            int intStart = pos;
            if (peek() == '0') {
                pos++;
                if (isDigit(peek())) {
                    throw error("leading zero in a number");
                }
            } else if (isDigit(peek())) {
                skipDigits();
            } else {
                throw error("expected a digit but found " + describe(pos));
            }
            int intEnd = pos;
            boolean integral = true;
            if (peek() == '.') {
                integral = false;
                pos++;
                requireDigit();
                skipDigits();
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                requireDigit();
                skipDigits();
            }
            if (integral) {
                return integer(start, intStart, intEnd);
            }
            String literal = text.substring(start, pos);
            double d = Double.parseDouble(literal);
            return Double.isInfinite(d) ? new BigDecimal(literal) : (Number) d;
        }

        private Number integer(int start, int digitsStart, int end) {
            // 18 digits always fit in a long, so the common case needs no parse call or allocation.
            if (end - digitsStart <= 18) {
                long value = 0;
                for (int i = digitsStart; i < end; i++) {
                    value = value * 10 + (text.charAt(i) - '0');
                }
                return digitsStart > start ? -value : value;
            }
            String literal = text.substring(start, end);
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooLarge) {
                return new BigInteger(literal);
            }
        }

        private void requireDigit() {
            if (!isDigit(peek())) {
                throw error("expected a digit but found " + describe(pos));
            }
        }

        private void skipDigits() {
            while (isDigit(peek())) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("expected '" + word + "'");
            }
            pos += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "' but found " + describe(pos));
            }
            pos++;
        }

        private void checkDepth(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
        }

        /** The current character, or NUL at the end (NUL matches nothing the grammar expects). */
        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return;
                }
                pos++;
            }
        }

        private String describe(int at) {
            if (at >= text.length()) {
                return "the end of input";
            }
            char c = text.charAt(at);
            return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
        }

        IllegalArgumentException error(String problem) {
            return new IllegalArgumentException("malformed JSON at position " + pos + ": " + problem);
        }
    }

    /** Appends values to a builder; stateless, hence static methods. */
    private static final class Writer {

        private static final char[] HEX = "0123456789abcdef".toCharArray();

        private Writer() {
        }

        // Java 17 has no pattern matching in switch, hence the instanceof chain.
        static void value(StringBuilder out, Object value, int depth) {
            if (value == null) {
                out.append("null");
            } else if (value instanceof String text) {
                string(out, text);
            } else if (value instanceof Number number) {
                number(out, number);
            } else if (value instanceof Boolean bool) {
                out.append(bool.booleanValue());
            } else if (value instanceof Map<?, ?> map) {
                object(out, map, depth + 1);
            } else if (value instanceof Iterable<?> iterable) {
                iterable(out, iterable, depth + 1);
            } else if (value.getClass().isArray()) {
                array(out, value, depth + 1);
            } else if (value instanceof Character c) {
                string(out, c.toString());
            } else if (value instanceof Enum<?> constant) {
                string(out, constant.name());
            } else if (value instanceof Record record) {
                record(out, record, depth + 1);
            } else {
                throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
            }
        }

        private static void number(StringBuilder out, Number number) {
            if (number instanceof Long || number instanceof Integer || number instanceof Short
                    || number instanceof Byte || number instanceof BigInteger) {
                out.append(number);
            } else if (number instanceof BigDecimal decimal) {
                // toString may use an exponent ("1E+3"), which JSON allows.
                out.append(decimal);
            } else if (number instanceof Double || number instanceof Float) {
                double d = number.doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new IllegalArgumentException("cannot write " + number + " as JSON: not a finite number");
                }
                // Float's own toString keeps 0.1f as "0.1" instead of its double widening.
                out.append(number instanceof Float ? number.toString() : Double.toString(d));
            } else {
                throw new IllegalArgumentException("cannot write " + number.getClass().getName() + " as JSON");
            }
        }

        private static void object(StringBuilder out, Map<?, ?> map, int depth) {
            checkDepth(depth);
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, String.valueOf(entry.getKey()));
                out.append(':');
                value(out, entry.getValue(), depth);
            }
            out.append('}');
        }

        private static void iterable(StringBuilder out, Iterable<?> iterable, int depth) {
            checkDepth(depth);
            out.append('[');
            boolean first = true;
            for (Object element : iterable) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                value(out, element, depth);
            }
            out.append(']');
        }

        private static void array(StringBuilder out, Object array, int depth) {
            checkDepth(depth);
            out.append('[');
            if (array instanceof int[] ints) {
                for (int i = 0; i < ints.length; i++) {
                    out.append(i == 0 ? "" : ",").append(ints[i]);
                }
            } else if (array instanceof long[] longs) {
                for (int i = 0; i < longs.length; i++) {
                    out.append(i == 0 ? "" : ",").append(longs[i]);
                }
            } else {
                // Object[] and the remaining primitive arrays; doubles still get the finiteness check.
                int length = Array.getLength(array);
                for (int i = 0; i < length; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    value(out, Array.get(array, i), depth);
                }
            }
            out.append(']');
        }

        private static void record(StringBuilder out, Record record, int depth) {
            checkDepth(depth);
            out.append('{');
            RecordComponent[] components = record.getClass().getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                string(out, components[i].getName());
                out.append(':');
                value(out, component(record, components[i].getAccessor()), depth);
            }
            out.append('}');
        }

        private static Object component(Record record, Method accessor) {
            try {
                // A public accessor of a record nested in a non-public class still needs this.
                accessor.trySetAccessible();
                return accessor.invoke(record);
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("cannot write " + record.getClass().getName()
                        + " as JSON: component " + accessor.getName() + " is not accessible", e);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("cannot write " + record.getClass().getName()
                        + " as JSON: " + accessor.getName() + "() threw " + e.getCause(), e.getCause());
            }
        }

        private static void string(StringBuilder out, String text) {
            out.append('"');
            int copied = 0;
            int length = text.length();
            for (int i = 0; i < length; i++) {
                char c = text.charAt(i);
                String escape = escape(text, i, c);
                if (escape != null) {
                    out.append(text, copied, i).append(escape);
                    copied = i + 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < length
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++; // a valid pair stays raw
                }
            }
            out.append(text, copied, length).append('"');
        }

        /** The escape for the char at {@code i}, or null when it can be written as it is. */
        private static String escape(String text, int i, char c) {
            if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
                return null;
            }
            String shortEscape = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> null;
            };
            if (shortEscape != null) {
                return shortEscape;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                return null;
            }
            // A control character, or an unpaired surrogate that UTF-8 could not carry.
            return new String(new char[] {'\\', 'u', HEX[c >> 12], HEX[(c >> 8) & 0xf], HEX[(c >> 4) & 0xf],
                HEX[c & 0xf]});
        }

        private static void checkDepth(int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("cannot write JSON nested deeper than " + MAX_DEPTH
                        + " (does a collection contain itself?)");
            }
        }
    }
}
