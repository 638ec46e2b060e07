package io.rotationdrag.lora;

import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A trained (or loaded) UNet LoRA as plain Java data, the artefact the LoRA stage hands to the drag stage.
 * {@link #toBytes()} writes safetensors with diffusers key names ({@link LoraKeys}) and a string
 * {@code __metadata__}; {@link #fromBytes(byte[])} reads that and every layout {@link LoraKeys} knows, e.g. the
 * reference's {@code pytorch_lora_weights.safetensors}.
 *
 * @param layers   module path -> weights, sorted by path
 * @param scale    s of the update s * B A (1.0 in the reference)
 * @param metadata free-form strings kept in the file (cache key, base model, options)
 */
public record LoraWeights(Map<String, LoraLayerWeights> layers, double scale, Map<String, String> metadata) {

    public static final String META_FORMAT = "format";
    public static final String FORMAT = "rotationdrag-lora/1";
    public static final String META_SCALE = "lora_scale";

    public LoraWeights {
        layers = Collections.unmodifiableMap(new TreeMap<>(layers));
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata == null ? Map.of() : metadata));
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("LoRA scale must be finite, got " + scale);
        }
    }

    /** The rank of the layers (the largest when they differ). */
    public int rank() {
        return layers.values().stream().mapToInt(LoraLayerWeights::rank).max().orElse(0);
    }

    public LoraWeights withScale(double s) {
        return new LoraWeights(layers, s, metadata);
    }

    public LoraWeights withMetadata(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(metadata);
        m.putAll(extra);
        return new LoraWeights(layers, scale, m);
    }

    public long parameterCount() {
        return layers.values().stream().mapToLong(l -> (long) l.down().length + l.up().length).sum();
    }

    public byte[] toBytes() {
        List<HostTensor> ts = new ArrayList<>();
        for (LoraLayerWeights l : layers.values()) {
            ts.add(new HostTensor(LoraKeys.downKey(l.module()), new long[]{l.rank(), l.in()}, l.down()));
            ts.add(new HostTensor(LoraKeys.upKey(l.module()), new long[]{l.out(), l.rank()}, l.up()));
            if (!Float.isNaN(l.alpha())) {
                ts.add(new HostTensor(LoraKeys.alphaKey(l.module()), new long[0], new float[]{l.alpha()}));
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(META_FORMAT, FORMAT);
        meta.put(META_SCALE, Double.toString(scale));
        return SafeTensors.toBytes(ts, meta);
    }

    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, toBytes());
    }

    public static LoraWeights read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no LoRA file at " + file);
        }
        return fromBytes(Files.readAllBytes(file));
    }

    /**
     * Reads any supported layout. The scale comes from our metadata when present, else 1.0.
     *
     * @throws IllegalArgumentException for unsupported keys, a layer missing its up or down half, or mismatched
     *                                  shapes, naming the key
     */
    public static LoraWeights fromBytes(byte[] bytes) {
        SafeTensors opened;
        try {
            opened = SafeTensors.fromBytes(bytes);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a readable safetensors LoRA file (" + bytes.length + " bytes): "
                    + e.getMessage(), e);
        }
        try (SafeTensors st = opened) {
            Map<String, float[]> down = new HashMap<>();
            Map<String, float[]> up = new HashMap<>();
            Map<String, long[]> downShape = new HashMap<>();
            Map<String, long[]> upShape = new HashMap<>();
            Map<String, Float> alpha = new HashMap<>();
            for (String key : st.keys()) {
                LoraKeys.Parsed p = LoraKeys.parse(key);
                LoraKeys.attentionOf(p.module()); // rejects non-attention modules with a message
                long[] shape = st.entry(key).shape();
                float[] data = st.readFloats(key);
                switch (p.part()) {
                    case DOWN -> put(down, downShape, p.module(), key, data, shape);
                    case UP -> put(up, upShape, p.module(), key, data, shape);
                    case ALPHA -> alpha.put(p.module(), data[0]);
                }
            }
            Map<String, LoraLayerWeights> layers = new TreeMap<>();
            for (String mod : down.keySet()) {
                if (!up.containsKey(mod)) {
                    throw new IllegalArgumentException("LoRA layer '" + mod + "' has a down but no up matrix");
                }
                long[] ds = downShape.get(mod);
                long[] us = upShape.get(mod);
                if (ds.length != 2 || us.length != 2 || ds[0] != us[1]) {
                    throw new IllegalArgumentException("LoRA layer '" + mod + "': down " + java.util.Arrays.toString(ds)
                            + " and up " + java.util.Arrays.toString(us) + " do not form [r,in] and [out,r]");
                }
                layers.put(mod, new LoraLayerWeights(mod, (int) ds[0], (int) ds[1], (int) us[0], down.get(mod),
                        up.get(mod), alpha.getOrDefault(mod, Float.NaN)));
            }
            for (String mod : up.keySet()) {
                if (!down.containsKey(mod)) {
                    throw new IllegalArgumentException("LoRA layer '" + mod + "' has an up but no down matrix");
                }
            }
            if (layers.isEmpty()) {
                throw new IllegalArgumentException("the file holds no LoRA layers");
            }
            Map<String, String> meta = new HashMap<>(st.metadata());
            double scale = 1.0;
            String s = meta.remove(META_SCALE);
            if (s != null) {
                scale = Double.parseDouble(s);
            }
            meta.remove(META_FORMAT);
            return new LoraWeights(layers, scale, meta);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable safetensors LoRA file: " + e.getMessage(), e);
        }
    }

    private static void put(Map<String, float[]> data, Map<String, long[]> shapes, String mod, String key, float[] v,
                            long[] shape) {
        if (data.put(mod, v) != null) {
            throw new IllegalArgumentException("LoRA key '" + key + "' duplicates a layer already read for '" + mod
                    + "' (two layouts mixed in one file?)");
        }
        shapes.put(mod, shape);
    }
}
