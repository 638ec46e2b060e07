package io.rotationdrag.gateway.api;

import java.time.Duration;
import java.util.Map;

/** The 429 of admission control, with Retry-After in seconds (RFC 9110 10.2.3). */
public final class Quotas {
    private Quotas() {
    }

    public static ApiException tooMany(String message, Duration retryAfter) {
        return new ApiException(429, null, message, Map.of("Retry-After",
                Long.toString(Math.max(1, retryAfter.toSeconds()))));
    }
}
