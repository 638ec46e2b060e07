package io.rotationdrag.diffusion.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTextModelTest {

    /** spec 9.2's tiny CLIP: hidden 32, 4 heads, 2 layers, intermediate 37 (odd, to catch transposes), vocab 1000. */
    static final ClipTextConfig TINY = new ClipTextConfig(1000, 32, 37, 2, 4, 77, "quick_gelu", 1e-5, 0, 2, 1);

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Random weights as plain float arrays (layer-norm gains around 1, everything else around 0). */
    static Map<String, float[]> randomWeights(ClipTextConfig cfg, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        cfg.parameterShapes().forEach((k, shape) -> {
            int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] v = new float[n];
            boolean gain = k.contains("layer_norm") && k.endsWith(".weight");
            for (int i = 0; i < n; i++) {
                v[i] = gain ? (float) (1 + 0.2 * r.nextGaussian()) : (float) (0.3 * r.nextGaussian());
            }
            w.put(k, v);
        });
        return w;
    }

    static Map<String, NDArray> toArrays(NDManager m, ClipTextConfig cfg, Map<String, float[]> w) {
        Map<String, NDArray> out = new HashMap<>();
        cfg.parameterShapes().forEach((k, shape) -> out.put(k, m.create(w.get(k), new Shape(shape))));
        return out;
    }

    // ---- plain-loop reference of transformers' CLIPTextTransformer (no NDArray code) ----

    private static float[][] layerNormRef(float[][] x, float[] g, float[] b, double eps) {
        float[][] y = new float[x.length][];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (float v : x[t]) mean += v;
            mean /= x[t].length;
            double var = 0;
            for (float v : x[t]) var += (v - mean) * (v - mean);
            var /= x[t].length;                                   // biased variance
            y[t] = new float[x[t].length];
            for (int c = 0; c < x[t].length; c++) {
                y[t][c] = (float) ((x[t][c] - mean) / Math.sqrt(var + eps) * g[c] + b[c]);
            }
        }
        return y;
    }

    /** y = x W^T + b with W stored [out, in]. */
    private static float[][] linearRef(float[][] x, float[] w, float[] b, int out) {
        int in = x[0].length;
        float[][] y = new float[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) s += (double) x[t][i] * w[o * in + i];
                y[t][o] = (float) s;
            }
        }
        return y;
    }

    static float[][] referenceForward(ClipTextConfig cfg, Map<String, float[]> w, int[] ids) {
        int len = ids.length;
        int h = cfg.hiddenSize();
        int heads = cfg.numAttentionHeads();
        int d = h / heads;
        float[][] x = new float[len][h];
        for (int t = 0; t < len; t++) {
            for (int c = 0; c < h; c++) {
                x[t][c] = w.get(ClipTextModel.TOKEN_EMBEDDING)[ids[t] * h + c]
                        + w.get(ClipTextModel.POSITION_EMBEDDING)[t * h + c];
            }
        }
        for (int l = 0; l < cfg.numHiddenLayers(); l++) {
            String p = "text_model.encoder.layers." + l + ".";
            float[][] n1 = layerNormRef(x, w.get(p + "layer_norm1.weight"), w.get(p + "layer_norm1.bias"),
                    cfg.layerNormEps());
            float[][] q = linearRef(n1, w.get(p + "self_attn.q_proj.weight"), w.get(p + "self_attn.q_proj.bias"), h);
            float[][] k = linearRef(n1, w.get(p + "self_attn.k_proj.weight"), w.get(p + "self_attn.k_proj.bias"), h);
            float[][] v = linearRef(n1, w.get(p + "self_attn.v_proj.weight"), w.get(p + "self_attn.v_proj.bias"), h);
            float[][] att = new float[len][h];
            for (int hd = 0; hd < heads; hd++) {
                for (int i = 0; i < len; i++) {
                    // causal: query i sees keys 0..i only
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double dot = 0;
                        for (int c = 0; c < d; c++) dot += (double) q[i][hd * d + c] * k[j][hd * d + c];
                        s[j] = dot / Math.sqrt(d);
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= i; j++) {
                        s[j] = Math.exp(s[j] - max);
                        z += s[j];
                    }
                    for (int c = 0; c < d; c++) {
                        double o = 0;
                        for (int j = 0; j <= i; j++) o += s[j] / z * v[j][hd * d + c];
                        att[i][hd * d + c] = (float) o;
                    }
                }
            }
            float[][] proj = linearRef(att, w.get(p + "self_attn.out_proj.weight"),
                    w.get(p + "self_attn.out_proj.bias"), h);
            for (int t = 0; t < len; t++) for (int c = 0; c < h; c++) x[t][c] += proj[t][c];
            float[][] n2 = layerNormRef(x, w.get(p + "layer_norm2.weight"), w.get(p + "layer_norm2.bias"),
                    cfg.layerNormEps());
            float[][] f1 = linearRef(n2, w.get(p + "mlp.fc1.weight"), w.get(p + "mlp.fc1.bias"),
                    cfg.intermediateSize());
            for (float[] row : f1) {
                for (int c = 0; c < row.length; c++) {
                    double a = row[c];
                    row[c] = (float) (a / (1 + Math.exp(-1.702 * a)));   // quick_gelu = a * sigmoid(1.702 a)
                }
            }
            float[][] f2 = linearRef(f1, w.get(p + "mlp.fc2.weight"), w.get(p + "mlp.fc2.bias"), h);
            for (int t = 0; t < len; t++) for (int c = 0; c < h; c++) x[t][c] += f2[t][c];
        }
        return layerNormRef(x, w.get("text_model.final_layer_norm.weight"), w.get("text_model.final_layer_norm.bias"),
                cfg.layerNormEps());
    }

    private static int[] randomIds(Random r, int len, int vocab) {
        int[] ids = new int[len];
        for (int i = 0; i < len; i++) ids[i] = r.nextInt(vocab);
        return ids;
    }

    @Test
    void forwardMatchesPlainLoopReference() {
        Map<String, float[]> w = randomWeights(TINY, 42);
        Random r = new Random(1);
        int[][] ids = {randomIds(r, 77, 1000), randomIds(r, 77, 1000)};
        try (NDManager m = manager.newSubManager();
             ClipTextModel model = new ClipTextModel(TINY, toArrays(m, TINY, w), m)) {
            assertEquals(TINY.parameterCount(), model.parameterCount());
            NDArray out = model.forward(ClipTextModel.tokenIds(m, ids));
            assertEquals(new Shape(2, 77, 32), out.getShape());
            float[] got = out.toFloatArray();
            double maxErr = 0;
            for (int b = 0; b < 2; b++) {
                float[][] ref = referenceForward(TINY, w, ids[b]);
                for (int t = 0; t < 77; t++) {
                    for (int c = 0; c < 32; c++) {
                        maxErr = Math.max(maxErr, Math.abs(ref[t][c] - got[(b * 77 + t) * 32 + c]));
                    }
                }
            }
            assertTrue(maxErr < 1e-4, "max abs error vs reference " + maxErr);
        }
    }

    @Test
    void geluVariantAndShortSequences() {
        ClipTextConfig gelu = new ClipTextConfig(50, 8, 12, 1, 2, 77, "gelu", 1e-5, 0, 2, 1);
        Map<String, float[]> w = randomWeights(gelu, 9);
        try (NDManager m = manager.newSubManager();
             ClipTextModel model = new ClipTextModel(gelu, toArrays(m, gelu, w), m)) {
            NDArray out = model.forward(ClipTextModel.tokenIds(m, new int[][] {{3, 7, 49}}));
            assertEquals(new Shape(1, 3, 8), out.getShape());
            // the first position sees only itself, so it does not depend on later tokens or on gelu's tails
            NDArray out2 = model.forward(ClipTextModel.tokenIds(m, new int[][] {{3, 1, 2}}));
            assertArrayEquals(out.get("0,0").toFloatArray(), out2.get("0,0").toFloatArray(), 1e-6f);
        }
    }

    @Test
    void causalMaskChangingTokenKLeavesEarlierPositions() {
        Map<String, float[]> w = randomWeights(TINY, 7);
        Random r = new Random(3);
        int[] a = randomIds(r, 77, 1000);
        int k = 30;
        int[] b = a.clone();
        b[k] = (a[k] + 1) % 1000;
        try (NDManager m = manager.newSubManager();
             ClipTextModel model = new ClipTextModel(TINY, toArrays(m, TINY, w), m)) {
            float[] oa = model.forward(ClipTextModel.tokenIds(m, new int[][] {a})).toFloatArray();
            float[] ob = model.forward(ClipTextModel.tokenIds(m, new int[][] {b})).toFloatArray();
            for (int t = 0; t < 77; t++) {
                double diff = 0;
                for (int c = 0; c < 32; c++) diff = Math.max(diff, Math.abs(oa[t * 32 + c] - ob[t * 32 + c]));
                if (t < k) {
                    assertEquals(0.0, diff, 0.0, "position " + t + " must not see token " + k);
                } else {
                    assertTrue(diff > 1e-4, "position " + t + " must see token " + k + " (diff " + diff + ")");
                }
            }
        }
    }

    @Test
    void sd15ConfigHasPublishedParameterCountAndTheRealKeySet() throws IOException {
        // 123,060,480: stated for runwayml/stable-diffusion-v1-5 text_encoder in microsoft/DeepSpeed-MII's README
        // ("SD param count: text_encoder: 123060480, unet: 859520964, vae: 83653863") and in shared/docs/sd15.md;
        // = 49408*768 + 77*768 + 12*(4*(768*768+768) + 4*768 + 3072*768+3072 + 768*3072+768) + 2*768
        ClipTextConfig sd = ClipTextConfig.sd15();
        assertEquals(123_060_480L, sd.parameterCount());
        Map<String, long[]> shapes = sd.parameterShapes();
        assertEquals(196, shapes.size());
        Path tsv = Path.of(System.getProperty("rotationdrag.shared.dir", "../../shared"),
                "docs/sd15/sd15-text-encoder-keys.tsv");
        assertTrue(Files.isRegularFile(tsv), "missing " + tsv.toAbsolutePath());
        int seen = 0;
        for (String line : Files.readAllLines(tsv)) {
            String[] f = line.split("\t");
            if (f.length < 3) continue;
            if (f[0].equals(ClipTextModel.POSITION_IDS)) continue;
            long[] want = Arrays.stream(f[2].replaceAll("[\\[\\] ]", "").split(","))
                    .mapToLong(Long::parseLong).toArray();
            assertArrayEquals(want, shapes.get(f[0]), f[0]);
            seen++;
        }
        assertEquals(196, seen);
    }

    @Test
    void missingOrMisShapedTensorIsAClearError() {
        Map<String, float[]> w = randomWeights(TINY, 5);
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> arrays = toArrays(m, TINY, w);
            arrays.remove("text_model.encoder.layers.1.mlp.fc1.bias");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ClipTextModel(TINY, arrays, m));
            assertTrue(e.getMessage().contains("text_model.encoder.layers.1.mlp.fc1.bias"), e.getMessage());

            Map<String, NDArray> arrays2 = toArrays(m, TINY, w);
            arrays2.put("text_model.encoder.layers.0.mlp.fc2.weight", m.zeros(new Shape(37, 32)));
            e = assertThrows(IllegalArgumentException.class, () -> new ClipTextModel(TINY, arrays2, m));
            assertTrue(e.getMessage().contains("text_model.encoder.layers.0.mlp.fc2.weight")
                    && e.getMessage().contains("[37, 32]") && e.getMessage().contains("[32, 37]"), e.getMessage());
        }
    }

    @Test
    void badIdsAreRejectedAndForwardLeavesNoArraysBehind() {
        Map<String, float[]> w = randomWeights(TINY, 11);
        try (NDManager m = manager.newSubManager();
             ClipTextModel model = new ClipTextModel(TINY, toArrays(m, TINY, w), m)) {
            NDArray ids = ClipTextModel.tokenIds(m, new int[][] {{1, 2, 1000}});
            assertThrows(IllegalArgumentException.class, () -> model.forward(ids));
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(ClipTextModel.tokenIds(m, new int[][] {new int[78]})));
            try (NDManager call = m.newSubManager()) {
                NDArray good = ClipTextModel.tokenIds(call, new int[][] {{5, 6, 7}});
                int before = call.getManagedArrays().size();
                int modelBefore = m.getManagedArrays().size();
                for (int i = 0; i < 5; i++) {
                    model.forward(good).close();
                }
                assertEquals(before, call.getManagedArrays().size(), "forward left arrays in the caller's manager");
                assertEquals(modelBefore, m.getManagedArrays().size(), "forward left arrays in the model's manager");
            }
        }
    }

    @Test
    void encodeTokenisesAndRunsTheModel(@org.junit.jupiter.api.io.TempDir Path dir) {
        int vocab = TinyClipFiles.write(dir, TinyClipFiles.DEFAULT_WORDS);
        ClipTokenizer tok = ClipTokenizer.load(dir);
        ClipTextConfig cfg = new ClipTextConfig(vocab, 16, 24, 1, 2, 77, "quick_gelu", 1e-5, 0, 2, 1);
        try (NDManager m = manager.newSubManager();
             ClipTextModel model = new ClipTextModel(cfg, toArrays(m, cfg, randomWeights(cfg, 2)), m)) {
            NDArray e = model.encode(m, tok, List.of("a photo of a cat", ""));
            assertEquals(new Shape(2, 77, 16), e.getShape());
            float[] ref = referenceForwardFlat(cfg, randomWeights(cfg, 2), tok.encode("a photo of a cat"));
            assertArrayEquals(ref, e.get(0).toFloatArray(), 1e-4f);
        }
    }

    private static float[] referenceForwardFlat(ClipTextConfig cfg, Map<String, float[]> w, int[] ids) {
        float[][] r = referenceForward(cfg, w, ids);
        float[] flat = new float[r.length * r[0].length];
        for (int t = 0; t < r.length; t++) System.arraycopy(r[t], 0, flat, t * r[0].length, r[0].length);
        return flat;
    }
}
