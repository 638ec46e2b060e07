package io.rotationdrag.gateway.api;

/**
 * Rules for text the gateway stores (prompt, idempotency key): no NUL or other control characters (PostgreSQL
 * refuses NUL in text, and the others are never meant), no unpaired surrogates, and lengths counted in Unicode code
 * points, as a user counts characters (an emoji is one, not two UTF-16 units).
 */
public final class TextInput {
    private TextInput() {
    }

    /**
     * @param multiline true allows tab, line feed and carriage return (a prompt); false allows no control at all
     * @throws ApiException 400 naming the field and the first offending character's position
     */
    public static void requireClean(String field, String value, boolean multiline) {
        if (value == null) {
            return;
        }
        int pos = 0;
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            boolean allowedSpace = multiline && (cp == '\t' || cp == '\n' || cp == '\r');
            if ((Character.getType(cp) == Character.CONTROL && !allowedSpace)) {
                throw ApiException.badRequest(field, field + " contains the control character U+"
                        + String.format("%04X", cp) + " at character " + pos + "; control characters are not "
                        + "accepted" + (multiline ? " (tab and line breaks are)" : ""));
            }
            if (Character.isSurrogate((char) cp)) {
                throw ApiException.badRequest(field, field + " contains an unpaired UTF-16 surrogate at character "
                        + pos);
            }
            i += Character.charCount(cp);
            pos++;
        }
    }

    /** Length in Unicode code points. */
    public static int length(String value) {
        return value == null ? 0 : value.codePointCount(0, value.length());
    }

    /** @throws ApiException 400 when value has more than max code points */
    public static void requireMaxLength(String field, String value, int max) {
        int n = length(value);
        if (n > max) {
            throw ApiException.badRequest(field, field + " has " + n + " characters; at most " + max
                    + " are accepted");
        }
    }
}
