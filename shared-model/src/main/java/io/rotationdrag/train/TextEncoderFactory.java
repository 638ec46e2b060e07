package io.rotationdrag.train;

import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.text.ClipTextConfig;
import io.rotationdrag.diffusion.text.ClipTextModel;
import io.rotationdrag.diffusion.text.TinyClipFiles;
import io.rotationdrag.synth.SceneVocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The embedded model's text side: a word-level CLIP tokenizer for the scene vocabulary (every scene word is one
 * token) and a small random CLIP text encoder, frozen, initialised as transformers' CLIPPreTrainedModel does
 * (factor 1): embeddings ~ N(0, 0.02^2); q/k/v ~ N(0, (h^-0.5 (2L)^-0.5)^2), out ~ N(0, h^-1); fc1 ~ N(0, (2h)^-1),
 * fc2 ~ N(0, (h^-0.5 (2L)^-0.5)^2); biases 0; layer norms 1/0. Seeded.
 */
public final class TextEncoderFactory {

    private TextEncoderFactory() {
    }

    /** Writes {@code tokenizer/} and {@code text_encoder/} under {@code modelDir}; returns the encoder config. */
    public static ClipTextConfig write(Path modelDir, int hidden, int layers, int heads, int intermediate, long seed)
            throws IOException {
        int vocab = TinyClipFiles.write(modelDir.resolve("tokenizer"), SceneVocabulary.words());
        // bos = vocab - 2, eos = pad = vocab - 1 (TinyClipFiles puts the two special tokens last)
        ClipTextConfig cfg = new ClipTextConfig(vocab, hidden, intermediate, layers, heads, 77, "quick_gelu", 1e-5,
                vocab - 2, vocab - 1, vocab - 1);
        Path dir = modelDir.resolve("text_encoder");
        cfg.write(dir.resolve("config.json"));
        SafeTensors.write(dir.resolve("model.safetensors"), weights(cfg, seed), Map.of("format", "pt"));
        return cfg;
    }

    static List<HostTensor> weights(ClipTextConfig cfg, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double h = cfg.hiddenSize(), l = cfg.numHiddenLayers();
        double inStd = Math.pow(h, -0.5) * Math.pow(2 * l, -0.5), outStd = Math.pow(h, -0.5);
        double fc1Std = Math.pow(2 * h, -0.5), fc2Std = inStd;
        List<HostTensor> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : cfg.parameterShapes().entrySet()) {
            String k = e.getKey();
            long[] s = e.getValue();
            float[] d = new float[Math.toIntExact(HostTensor.numel(s))];
            double std;
            if (k.equals(ClipTextModel.TOKEN_EMBEDDING) || k.equals(ClipTextModel.POSITION_EMBEDDING)) {
                std = 0.02;
            } else if (k.contains("layer_norm")) {
                if (k.endsWith(".weight")) {
                    java.util.Arrays.fill(d, 1f);
                }
                std = 0;
            } else if (k.endsWith(".bias")) {
                std = 0;
            } else if (k.contains("out_proj")) {
                std = outStd;
            } else if (k.contains("_proj")) {
                std = inStd;
            } else if (k.contains("fc1")) {
                std = fc1Std;
            } else if (k.contains("fc2")) {
                std = fc2Std;
            } else {
                throw new IllegalStateException("no init rule for " + k);
            }
            if (std > 0) {
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (std * LatentDataset.gauss(rnd));
                }
            }
            out.add(new HostTensor(k, s, d));
        }
        return out;
    }
}
