package io.rotationdrag.gateway.api;

import java.util.Map;

/** An HTTP error with a reason for the client; {@code field} names the request part at fault (or null). */
public class ApiException extends RuntimeException {
    private final int status;
    private final String field;
    private final Map<String, String> headers;

    public ApiException(int status, String field, String message) {
        this(status, field, message, Map.of());
    }

    public ApiException(int status, String field, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
        this.headers = Map.copyOf(headers);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }

    /** Extra answer headers (Retry-After of a 429, WWW-Authenticate of a 401). */
    public Map<String, String> headers() {
        return headers;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, field, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, null, message);
    }
}
