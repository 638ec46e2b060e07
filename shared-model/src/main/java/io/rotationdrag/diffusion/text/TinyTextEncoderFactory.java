package io.rotationdrag.diffusion.text;

import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes tiny random CLIP text encoders in the real transformers layout ({@code text_encoder/config.json} +
 * {@code model.safetensors}, exact key names), optionally with a matching tokenizer folder, so tests and the
 * synthetic model go through the same loader as SD 1.5.
 *
 * <p>Weights are deterministic in the seed (java.util.Random) and none is zero: embeddings N(0, 0.5^2), linear
 * weights N(0, 1/fan_in), biases N(0, 0.05^2), layer-norm gains 1 + N(0, 0.1^2) and shifts N(0, 0.05^2).
 */
public final class TinyTextEncoderFactory {

    private TinyTextEncoderFactory() {
    }

    /** spec 9.2's tiny text tower: 2 layers, 4 heads, intermediate 37 (odd), the given hidden and vocab sizes. */
    public static ClipTextConfig tinyConfig(int vocabSize, int hiddenSize) {
        return new ClipTextConfig(vocabSize, hiddenSize, 37, 2, 4, 77, "quick_gelu", 1e-5, 0, 2, 1);
    }

    /** The random weights {@link #write} stores, by key (for tests that compare after loading). */
    public static List<HostTensor> randomWeights(ClipTextConfig config, long seed) {
        Random r = new Random(seed);
        List<HostTensor> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : config.parameterShapes().entrySet()) {
            String k = e.getKey();
            long[] shape = e.getValue();
            float[] v = new float[(int) HostTensor.numel(shape)];
            boolean embedding = k.contains("embedding");
            boolean norm = k.contains("layer_norm");
            boolean weight = k.endsWith(".weight");
            double std = embedding ? 0.5 : norm ? (weight ? 0.1 : 0.05) : weight ? 1.0 / Math.sqrt(shape[1]) : 0.05;
            double mean = norm && weight ? 1.0 : 0.0;
            for (int i = 0; i < v.length; i++) {
                float x;
                do {
                    x = (float) (mean + std * r.nextGaussian());
                } while (x == 0f);
                v[i] = x;
            }
            out.add(new HostTensor(k, shape, v));
        }
        return out;
    }

    /** Writes {@code config.json} and {@code model.safetensors} (float32) into {@code textEncoderDir}. */
    public static void write(Path textEncoderDir, ClipTextConfig config, long seed) {
        writeTensors(textEncoderDir.resolve("model.safetensors"), randomWeights(config, seed));
        config.write(textEncoderDir.resolve("config.json"));
    }

    /**
     * Writes {@code <root>/tokenizer/} (a BPE tokenizer learned on {@code words}, see {@link TinyClipFiles}) and
     * {@code <root>/text_encoder/} whose vocab_size equals the tokenizer's.
     *
     * @param hiddenSize must equal the UNet's cross_attention_dim
     * @return the text encoder's configuration
     */
    public static ClipTextConfig writeWithTokenizer(Path root, Collection<String> words, int hiddenSize, long seed) {
        int vocab = TinyClipFiles.write(root.resolve("tokenizer"), words);
        ClipTextConfig config = tinyConfig(vocab, hiddenSize);
        write(root.resolve("text_encoder"), config, seed);
        return config;
    }

    private static void writeTensors(Path file, List<HostTensor> tensors) {
        try {
            SafeTensors.write(file, tensors, Map.of("format", "pt"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
