package io.rotationdrag.lora;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Cache key of a trained LoRA: SHA-256 over (base model id, image hash, prompt, LoRA options, training size). Two jobs
 * with the same key train bit-identical LoRAs (training is seeded by {@link LoraOptions#seed()}), so the LoRA stage may
 * reuse a stored one. Fields are length-prefixed, so no two different tuples share a pre-image.
 */
public record LoraCacheKey(String value) {

    public static LoraCacheKey of(String baseModelId, String imageHash, String prompt, LoraOptions options,
                                  int trainWidth, int trainHeight) {
        StringBuilder sb = new StringBuilder("rotationdrag-lora-cache/1\n");
        field(sb, "base", baseModelId);
        field(sb, "image", imageHash);
        field(sb, "prompt", prompt == null ? "" : prompt);
        field(sb, "options", options.canonical());
        field(sb, "size", trainWidth + "x" + trainHeight);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return new LoraCacheKey(HexFormat.of().formatHex(d));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private static void field(StringBuilder sb, String name, String v) {
        sb.append(name).append(':').append(v.length()).append(':').append(v).append('\n');
    }

    @Override
    public String toString() {
        return value;
    }
}
