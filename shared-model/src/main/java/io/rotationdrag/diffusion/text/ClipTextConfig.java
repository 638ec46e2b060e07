package io.rotationdrag.diffusion.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of a transformers {@code text_encoder/config.json} (CLIPTextConfig) that CLIPTextModel uses.
 * Absent fields take CLIPTextConfig's defaults (hidden 512, intermediate 2048, 12 layers, 8 heads, 77
 * positions, vocab 49408, quick_gelu, eps 1e-5). bos/eos/pad ids are kept only to write configs back; SD uses
 * last_hidden_state, so they do not affect the output.
 */
public record ClipTextConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        String hiddenAct,
        double layerNormEps,
        int bosTokenId,
        int eosTokenId,
        int padTokenId) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ClipTextConfig {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not divisible by num_attention_heads "
                    + numAttentionHeads);
        }
        if (!List.of("quick_gelu", "gelu").contains(hiddenAct)) {
            throw new IllegalArgumentException("unsupported hidden_act '" + hiddenAct + "' (quick_gelu or gelu)");
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layer_norm_eps must be > 0, got " + layerNormEps);
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    /** SD 1.5's text encoder (CLIP ViT-L/14 text tower), as in runwayml/stable-diffusion-v1-5 text_encoder/config.json. */
    public static ClipTextConfig sd15() {
        return new ClipTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5, 0, 2, 1);
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Reads {@code config.json}; {@code path} may be the file or the {@code text_encoder/} folder. */
    public static ClipTextConfig read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("text encoder config not found: " + file);
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("text encoder config " + file + " is not a JSON object");
            }
            // a full CLIPConfig nests the text tower under text_config
            if (n.has("text_config") && n.get("text_config").isObject()) {
                n = n.get("text_config");
            }
            return new ClipTextConfig(
                    n.path("vocab_size").asInt(49408),
                    n.path("hidden_size").asInt(512),
                    n.path("intermediate_size").asInt(2048),
                    n.path("num_hidden_layers").asInt(12),
                    n.path("num_attention_heads").asInt(8),
                    n.path("max_position_embeddings").asInt(77),
                    n.path("hidden_act").asText("quick_gelu"),
                    n.path("layer_norm_eps").asDouble(1e-5),
                    n.path("bos_token_id").asInt(49406),
                    n.path("eos_token_id").asInt(49407),
                    n.path("pad_token_id").asInt(1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read text encoder config " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("text encoder config " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a transformers-style config.json (the fields above plus the ones transformers expects to see). */
    public void write(Path file) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("CLIPTextModel"));
        m.put("attention_dropout", 0.0);
        m.put("bos_token_id", bosTokenId);
        m.put("dropout", 0.0);
        m.put("eos_token_id", eosTokenId);
        m.put("hidden_act", hiddenAct);
        m.put("hidden_size", hiddenSize);
        m.put("initializer_factor", 1.0);
        m.put("initializer_range", 0.02);
        m.put("intermediate_size", intermediateSize);
        m.put("layer_norm_eps", layerNormEps);
        m.put("max_position_embeddings", maxPositionEmbeddings);
        m.put("model_type", "clip_text_model");
        m.put("num_attention_heads", numAttentionHeads);
        m.put("num_hidden_layers", numHiddenLayers);
        m.put("pad_token_id", padTokenId);
        m.put("projection_dim", hiddenSize);
        m.put("torch_dtype", "float32");
        m.put("vocab_size", vocabSize);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Every parameter of CLIPTextModel with its shape, in transformers' key names and module order
     * (without the {@code position_ids} buffer).
     */
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        long h = hiddenSize;
        s.put(ClipTextModel.TOKEN_EMBEDDING, new long[] {vocabSize, h});
        s.put(ClipTextModel.POSITION_EMBEDDING, new long[] {maxPositionEmbeddings, h});
        for (int i = 0; i < numHiddenLayers; i++) {
            String p = ClipTextModel.layerPrefix(i);
            for (String proj : List.of("k_proj", "v_proj", "q_proj", "out_proj")) {
                s.put(p + "self_attn." + proj + ".weight", new long[] {h, h});
                s.put(p + "self_attn." + proj + ".bias", new long[] {h});
            }
            s.put(p + "layer_norm1.weight", new long[] {h});
            s.put(p + "layer_norm1.bias", new long[] {h});
            s.put(p + "mlp.fc1.weight", new long[] {intermediateSize, h});
            s.put(p + "mlp.fc1.bias", new long[] {intermediateSize});
            s.put(p + "mlp.fc2.weight", new long[] {h, intermediateSize});
            s.put(p + "mlp.fc2.bias", new long[] {h});
            s.put(p + "layer_norm2.weight", new long[] {h});
            s.put(p + "layer_norm2.bias", new long[] {h});
        }
        s.put(ClipTextModel.FINAL_LAYER_NORM + ".weight", new long[] {h});
        s.put(ClipTextModel.FINAL_LAYER_NORM + ".bias", new long[] {h});
        return s;
    }

    /** Total number of parameters counted from {@link #parameterShapes()} (123,060,480 for SD 1.5). */
    public long parameterCount() {
        long total = 0;
        for (long[] shape : parameterShapes().values()) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            total += n;
        }
        return total;
    }
}
