package io.taskpool.worker;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Checks that a worker's result is one well-formed JSON value before it is stored: the API
 * embeds results verbatim, so a worker that forged a frame must not corrupt every read of its task.
 * A streaming pass, without building a tree.
 */
final class ResultCheck {

    private static final JsonFactory JSON = new JsonFactory();

    private ResultCheck() {}

    static boolean isJson(String text) {
        if (text == null) {
            return false;
        }
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), text)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (JacksonException e) {
            return false;
        }
    }
}
