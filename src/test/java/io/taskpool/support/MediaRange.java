package io.taskpool.support;

import java.util.Locale;

/**
 * A media type, or a range such as {@code text/*}, without its parameters: the form in which a
 * Content-Type header and a key of an OpenAPI {@code content} map are compared. Parameters are
 * dropped because they do not change the format of a body ({@code application/json;charset=UTF-8}
 * is still {@code application/json}), and the contract does not always write them the way the
 * service sends them.
 */
public record MediaRange(String type, String subtype) {

    private static final String ANY = "*";

    /** Reads {@code type/subtype} from a header value or a content key, ignoring case and parameters. */
    public static MediaRange parse(String text) {
        String essence = text.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        int slash = essence.indexOf('/');
        if (slash <= 0 || slash == essence.length() - 1 || essence.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("not a media type: '" + text + "'");
        }
        return new MediaRange(essence.substring(0, slash), essence.substring(slash + 1));
    }

    /** Whether this range, as the contract writes it, covers the media type of a body. */
    public boolean includes(MediaRange actual) {
        return (type.equals(ANY) || type.equals(actual.type))
                && (subtype.equals(ANY) || subtype.equals(actual.subtype));
    }

    /**
     * How narrow the range is, from 0 for the range of every type to 2 for a concrete type: OpenAPI
     * lets the most specific key describe a body that several keys cover.
     */
    public int specificity() {
        return (type.equals(ANY) ? 0 : 1) + (subtype.equals(ANY) ? 0 : 1);
    }

    /** One JSON document: {@code application/json} and the structured {@code +json} types such as problem+json. */
    public boolean isJson() {
        return subtype.equals("json") || subtype.endsWith("+json");
    }

    /** Newline-delimited JSON: every line is a JSON document of its own, described by the content's schema. */
    public boolean isJsonLines() {
        return type.equals("application") && subtype.equals("x-ndjson");
    }

    @Override
    public String toString() {
        return type + "/" + subtype;
    }
}
