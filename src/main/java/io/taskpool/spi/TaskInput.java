package io.taskpool.spi;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.Map;

/**
 * A task's input object with typed accessors whose errors name the offending field, so that a
 * client who sends {@code {"below": "ten"}} reads "input field 'below' must be an integer".
 */
public final class TaskInput {

    private final Map<String, Object> fields;

    public TaskInput(Map<String, Object> fields) {
        this.fields = Collections.unmodifiableMap(fields);
    }

    /** The whole input, as parsed from JSON (maps, lists, strings, numbers, booleans, nulls). */
    public Map<String, Object> asMap() {
        return fields;
    }

    public boolean has(String name) {
        return fields.get(name) != null;
    }

    /** An integer field between {@code min} and {@code max}; {@code fallback} when absent. */
    public long longValue(String name, long fallback, long min, long max) {
        Object value = fields.get(name);
        if (value == null) {
            return fallback;
        }
        return checkedLong(name, value, min, max);
    }

    /** A required integer field between {@code min} and {@code max}. */
    public long requireLong(String name, long min, long max) {
        Object value = fields.get(name);
        if (value == null) {
            throw new InvalidInputException("input field '" + name + "' is required");
        }
        return checkedLong(name, value, min, max);
    }

    /** A string field; {@code fallback} when absent. */
    public String string(String name, String fallback) {
        Object value = fields.get(name);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String text)) {
            throw new InvalidInputException("input field '" + name + "' must be a string");
        }
        return text;
    }

    /** A required string field. */
    public String requireString(String name) {
        if (fields.get(name) == null) {
            throw new InvalidInputException("input field '" + name + "' is required");
        }
        return string(name, null);
    }

    private static long checkedLong(String name, Object value, long min, long max) {
        if (!(value instanceof Number number) || !isIntegral(number)) {
            throw new InvalidInputException("input field '" + name + "' must be an integer");
        }
        // longValue() wraps a BigInteger and saturates a double, so 2^64 would pass as 0.
        if (!fitsLong(number)) {
            throw new InvalidInputException(
                    "input field '" + name + "' must be between " + min + " and " + max + ", was " + number);
        }
        long result = number.longValue();
        if (result < min || result > max) {
            throw new InvalidInputException(
                    "input field '" + name + "' must be between " + min + " and " + max + ", was " + result);
        }
        return result;
    }

    private static boolean isIntegral(Number number) {
        if (number instanceof Double || number instanceof Float) {
            double d = number.doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d);
        }
        if (number instanceof BigDecimal decimal) {
            return decimal.signum() == 0 || decimal.stripTrailingZeros().scale() <= 0;
        }
        return true;
    }

    private static boolean fitsLong(Number number) {
        if (number instanceof BigInteger big) {
            return big.bitLength() < Long.SIZE;
        }
        if (number instanceof BigDecimal decimal) {
            return decimal.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0
                    && decimal.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
        }
        if (number instanceof Double || number instanceof Float) {
            double d = number.doubleValue();
            return d >= -0x1p63 && d < 0x1p63;
        }
        return true;
    }
}
