package io.rotationdrag.gateway.api;

/** Query parameters read as text and checked here, so a bad value is a 400 naming it (not a framework 404). */
public final class QueryParams {
    private QueryParams() {
    }

    /** @throws ApiException 400 naming the parameter when it is not an integer in [min, max] */
    public static int intParam(String name, String raw, int dflt, int min, int max) {
        if (raw == null || raw.isBlank()) {
            return dflt;
        }
        long v;
        try {
            v = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, name + " must be an integer in [" + min + ", " + max + "]");
        }
        if (v < min || v > max) {
            throw ApiException.badRequest(name, name + " must be in [" + min + ", " + max + "], got " + v);
        }
        return (int) v;
    }
}
