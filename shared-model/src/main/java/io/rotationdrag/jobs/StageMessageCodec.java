package io.rotationdrag.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * JSON wire format of {@link StageMessage}, written by hand so that the format is fixed here and a malformed
 * record fails with a message naming the bad field (the worker routes it to the dead-letter topic).
 */
public final class StageMessageCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StageMessageCodec() {
    }

    public static String toJson(StageMessage m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("messageId", m.messageId().toString());
        n.put("jobId", m.jobId().toString());
        n.put("stage", m.stage().name());
        n.put("attempt", m.attempt());
        if (m.notBefore() != null) {
            n.put("notBefore", m.notBefore().toString());
        }
        n.put("createdAt", m.createdAt().toString());
        return n.toString();
    }

    public static byte[] toBytes(StageMessage m) {
        return toJson(m).getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException with the reason when the bytes are not a stage message */
    public static StageMessage fromBytes(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("empty record value");
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (Exception e) {
            throw new IllegalArgumentException("record value is not JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("record value is not a JSON object");
        }
        try {
            UUID messageId = UUID.fromString(text(n, "messageId"));
            UUID jobId = UUID.fromString(text(n, "jobId"));
            Stage stage = Stage.valueOf(text(n, "stage"));
            int attempt = n.path("attempt").asInt(1);
            Instant notBefore = n.hasNonNull("notBefore") ? Instant.parse(n.get("notBefore").asText()) : null;
            Instant createdAt = n.hasNonNull("createdAt") ? Instant.parse(n.get("createdAt").asText()) : Instant.EPOCH;
            return new StageMessage(messageId, jobId, stage, attempt, notBefore, createdAt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed stage message: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed stage message: " + e, e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return v.asText();
    }
}
