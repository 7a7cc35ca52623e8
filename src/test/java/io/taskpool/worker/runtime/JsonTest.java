package io.taskpool.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    private record Point(int x, String label, List<Integer> tags) {}

    private enum Colour { RED }

    @Test
    void parsesScalars() {
        assertThat(Json.parse("true")).isEqualTo(true);
        assertThat(Json.parse("false")).isEqualTo(false);
        assertThat(Json.parse("null")).isNull();
        assertThat(Json.parse(" \"x\" ")).isEqualTo("x");
        assertThat(Json.parse("0")).isEqualTo(0L);
        assertThat(Json.parse("-12")).isEqualTo(-12L);
    }

    @Test
    void numbersBecomeLongUnlessTheyHaveAFractionOrExponent() {
        assertThat(Json.parse("1.5")).isEqualTo(1.5);
        assertThat(Json.parse("1e3")).isEqualTo(1000.0);
        assertThat(Json.parse("-2.5E-3")).isEqualTo(-0.0025);
        assertThat(Json.parse("123456789012345678")).isEqualTo(123456789012345678L);
        assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void numbersBeyondLongOrDoubleKeepTheirValue() {
        assertThat(Json.parse("9223372036854775808")).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(Json.parse("-18446744073709551616")).isEqualTo(new BigInteger("-18446744073709551616"));
        assertThat(Json.parse("1e400")).isEqualTo(new BigDecimal("1e400"));
    }

    @Test
    void objectsKeepMemberOrderAndArraysAreLists() {
        Map<String, Object> object = Json.parseObject("{\"z\": 1, \"a\": [true, null, \"s\"], \"m\": {}}");

        assertThat(object).isInstanceOf(LinkedHashMap.class);
        assertThat(object.keySet()).containsExactly("z", "a", "m");
        assertThat(object.get("a")).isInstanceOf(ArrayList.class).isEqualTo(Arrays.asList(true, null, "s"));
        assertThat(object.get("m")).isEqualTo(Map.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "[]", "{\"a\":1,\"b\":[1,2.5,-3,true,false,null],\"c\":{\"d\":\"e\"}}",
        "[\"\",\"\\\"\\\\\\n\\r\\t\\b\\f\\u0001\"]", "\"h\u00e9llo \u4e16\u754c \ud83d\ude00\"", "[[[]]]"})
    void writesBackWhatItParsed(String text) {
        assertThat(Json.write(Json.parse(text))).isEqualTo(text);
    }

    @Test
    void decodesEveryEscape() {
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\""))
                .isEqualTo("a\"b\\c/d\be\ff\ng\rh\ti");
        assertThat(Json.parse("\"\\u00e9\\u00E9\"")).isEqualTo("\u00e9\u00e9");
    }

    @Test
    void joinsEscapedSurrogatePairs() {
        String parsed = (String) Json.parse("\"\\ud83d\\ude00\"");

        assertThat(parsed).isEqualTo("\ud83d\ude00");
        assertThat(parsed.codePointAt(0)).isEqualTo(0x1F600);
    }

    @Test
    void writesNonAsciiRawButEscapesControlCharactersAndLoneSurrogates() {
        assertThat(Json.write("\u00e9\ud83d\ude00")).isEqualTo("\"\u00e9\ud83d\ude00\"");
        assertThat(Json.write("a\u0000b\u001fc\u007f")).isEqualTo("\"a\\u0000b\\u001fc\u007f\"");
        assertThat(Json.write("tab\tquote\"back\\")).isEqualTo("\"tab\\tquote\\\"back\\\\\"");
        assertThat(Json.write("\ud800x\udc00")).isEqualTo("\"\\ud800x\\udc00\"");
        assertThat(Json.parse(Json.write("\ud800x\udc00"))).isEqualTo("\ud800x\udc00");
    }

    @ParameterizedTest(name = "{0} fails at position {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "``                 | 0  | expected a value but the input ended",
        "`   `              | 3  | expected a value",
        "`{\"a\":1,}`       | 7  | expected a string key",
        "`[1,]`             | 3  | expected a value but found ']'",
        "`[1 2]`            | 3  | expected ',' or ']'",
        "`{\"a\" 1}`        | 5  | expected ':'",
        "`{\"a\":1 \"b\":2}`| 7  | expected ',' or '}'",
        "`01`               | 1  | leading zero",
        "`-01`              | 2  | leading zero",
        "`-`                | 1  | expected a digit",
        "`1.`               | 2  | expected a digit",
        "`1e+`              | 3  | expected a digit",
        "`.5`               | 0  | expected a value",
        "`+1`               | 0  | expected a value",
        "`\"abc`            | 4  | unterminated string",
        "`\"a\\x\"`         | 3  | invalid escape",
        "`\"\\u12g4\"`      | 5  | invalid hex digit",
        "`\"\\u12\"`        | 3  | truncated",
        "`\"\\u\u0661234\"`  | 3  | invalid hex digit U+0661",
        "`tru`              | 0  | expected 'true'",
        "`nul1`             | 0  | expected 'null'",
        "`NaN`              | 0  | expected a value",
        "`{\"a\":1} x`      | 8  | unexpected 'x' after the value",
        "`[1]]`             | 3  | after the value",
        "`{\"a\":1,\"a\":2}`| 7  | duplicate key \"a\"",
        "`{1:2}`            | 1  | expected a string key",
        "`{'a':1}`          | 1  | expected a string key",
        "`[1,/*x*/2]`       | 3  | expected a value",
    })
    void rejectsMalformedTextNamingThePosition(String text, int position, String problem) {
        assertThatThrownBy(() -> Json.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position " + position + ":")
                .hasMessageContaining(problem);
    }

    @Test
    void rejectsRawControlCharactersInStrings() {
        assertThatThrownBy(() -> Json.parse("\"a\nb\""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 2:")
                .hasMessageContaining("U+000A");
    }

    @Test
    void parseObjectAcceptsOnlyAnObject() {
        assertThat(Json.parseObject(" {\"ms\": 5} ")).containsEntry("ms", 5L);
        assertThatThrownBy(() -> Json.parseObject("[1]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 0: expected a JSON object but found '['");
        assertThatThrownBy(() -> Json.parseObject("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 2: expected a JSON object but found the end of input");
        assertThatThrownBy(() -> Json.parseObject("{} {}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 3");
    }

    @Test
    void parsesNestingUpToTheLimit() {
        String deepest = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);

        assertThat(Json.parse(deepest)).isInstanceOf(List.class);
    }

    @Test
    void rejectsNestingBeyondTheLimitWithoutOverflowingTheStack() {
        String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        String hostile = "{\"a\":".repeat(100_000);

        assertThatThrownBy(() -> Json.parse(tooDeep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position " + Json.MAX_DEPTH + ": nesting deeper than " + Json.MAX_DEPTH);
        assertThatThrownBy(() -> Json.parse(hostile))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nesting deeper than");
    }

    @Test
    void writesNumbersOfEveryBoxedType() {
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("byte", (byte) 1);
        numbers.put("short", (short) -2);
        numbers.put("int", 3);
        numbers.put("long", Long.MIN_VALUE);
        numbers.put("big", new BigInteger("123456789012345678901234567890"));
        numbers.put("decimal", new BigDecimal("1.50"));
        numbers.put("double", 2.0);
        numbers.put("float", 0.1f);

        assertThat(Json.write(numbers)).isEqualTo("{\"byte\":1,\"short\":-2,\"int\":3,\"long\":-9223372036854775808,"
                + "\"big\":123456789012345678901234567890,\"decimal\":1.50,\"double\":2.0,\"float\":0.1}");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1, -0.0, 1e-7, 6.02214076e23, Double.MAX_VALUE, Double.MIN_VALUE, 3.0})
    void doublesSurviveARoundTrip(double value) {
        assertThat(Json.parse(Json.write(value))).isEqualTo(value);
    }

    @Test
    void refusesNonFiniteNumbers() {
        assertThatThrownBy(() -> Json.write(Map.of("x", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> Json.write(List.of(Float.NEGATIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Infinity");
        assertThatThrownBy(() -> Json.write(new double[] {1, Double.POSITIVE_INFINITY}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Infinity");
    }

    @Test
    void writesArraysRecordsEnumsAndCharacters() {
        assertThat(Json.write(new int[] {1, 2})).isEqualTo("[1,2]");
        assertThat(Json.write(new long[] {})).isEqualTo("[]");
        assertThat(Json.write(new double[] {0.5, -1})).isEqualTo("[0.5,-1.0]");
        assertThat(Json.write(new boolean[] {true})).isEqualTo("[true]");
        assertThat(Json.write(new Object[] {"a", null, 'c'})).isEqualTo("[\"a\",null,\"c\"]");
        assertThat(Json.write(new Point(1, "p", List.of(2, 3)))).isEqualTo("{\"x\":1,\"label\":\"p\",\"tags\":[2,3]}");
        assertThat(Json.write(Colour.RED)).isEqualTo("\"RED\"");
        assertThat(Json.write(null)).isEqualTo("null");
    }

    @Test
    void writesMapKeysAsStrings() {
        Map<Object, Object> map = new TreeMap<>(Map.of(1, "one", 2, List.of()));

        assertThat(Json.write(map)).isEqualTo("{\"1\":\"one\",\"2\":[]}");
    }

    @Test
    void refusesTypesWithoutAJsonForm() {
        assertThatThrownBy(() -> Json.write(Map.of("x", new Object())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot write java.lang.Object as JSON");
        assertThatThrownBy(() -> Json.write(new java.util.concurrent.atomic.AtomicLong()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AtomicLong");
    }

    @Test
    void refusesACollectionThatContainsItself() {
        List<Object> loop = new ArrayList<>();
        loop.add(loop);
        Map<String, Object> cycle = new LinkedHashMap<>();
        cycle.put("self", cycle);

        assertThatThrownBy(() -> Json.write(loop))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested deeper than " + Json.MAX_DEPTH);
        assertThatThrownBy(() -> Json.write(cycle))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested deeper than " + Json.MAX_DEPTH);
    }
}
