package io.taskpool.worker.runtime.builtin;

/**
 * Fills the numbers into an input schema's text. Not {@link String#format}: the first format in
 * a JVM loads the locale and number-format machinery, which cost about a fifth of a worker's
 * start-up, and every worker builds these schemas before it says hello.
 */
final class SchemaText {

    private static final String PLACEHOLDER = "%d";

    private SchemaText() {}

    /** The template with each {@code %d}, in order, replaced by the next of the numbers. */
    static String withNumbers(String template, long... numbers) {
        StringBuilder text = new StringBuilder(template.length() + 20 * numbers.length);
        int from = 0;
        for (long number : numbers) {
            int at = template.indexOf(PLACEHOLDER, from);
            if (at < 0) {
                throw new IllegalArgumentException("more numbers than placeholders in " + template);
            }
            text.append(template, from, at).append(number);
            from = at + PLACEHOLDER.length();
        }
        if (template.indexOf(PLACEHOLDER, from) >= 0) {
            throw new IllegalArgumentException("more placeholders than numbers in " + template);
        }
        return text.append(template, from, template.length()).toString();
    }
}
