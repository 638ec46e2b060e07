package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.unet.Attention;
import io.rotationdrag.diffusion.unet.AttentionProcessor;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.vae.DiagonalGaussian;
import io.rotationdrag.lora.AttachedLora;
import io.rotationdrag.lora.LoraLayerWeights;
import io.rotationdrag.lora.LoraWeights;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual self-attention control on the tiny UNet (16 self-attention layers, as SD 1.5). */
class MutualSelfAttentionControlTest {

    @TempDir
    static Path dir;
    static StableDiffusion sd;
    static UNet2DConditionModel unet;

    @BeforeAll
    static void load() throws Exception {
        sd = TinySd.load(dir, 21);
        unet = sd.unet();
    }

    @AfterAll
    static void close() {
        sd.close();
    }

    private static NDArray latent(NDManager m, long seed) {
        return m.create(DiagonalGaussian.gaussian(seed, 4 * 8 * 8), new Shape(1, 4, 8, 8));
    }

    private static float[] predict(NDArray x, NDArray text) {
        return unet.predictNoise(x, 741, text).toFloatArray();
    }

    private static float[] slice(float[] a, int item, int items) {
        int n = a.length / items;
        float[] out = new float[n];
        System.arraycopy(a, item * n, out, 0, n);
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static double maxAbs(float[] a) {
        double d = 0;
        for (float v : a) {
            d = Math.max(d, Math.abs(v));
        }
        return d;
    }

    @Test
    void theTinyUNetCountsSixteenSelfAttentionLayersAndScalesTheStartLayer() {
        assertEquals(16, MutualSelfAttentionControl.selfAttentionLayers(unet));
        assertEquals(10, MutualSelfAttentionControl.of(DenoiseOptions.defaults(), 16).startLayer());
    }

    @Test
    void startLayerBeyondTheLastLayerEqualsRunningEachBranchAlone() {
        try (NDManager m = sd.manager().newSubManager()) {
            NDArray text = sd.encodePrompt(m, "a photo of a cat");
            NDArray a = latent(m, 1);
            NDArray b = latent(m, 2);
            float[] alone0 = predict(a, text);
            float[] alone1 = predict(b, text);
            MutualSelfAttentionControl c = new MutualSelfAttentionControl(0, 16);
            float[] batch;
            try (var ignored = c.install(unet)) {
                batch = predict(a.concat(b, 0), text);
            }
            double scale = maxAbs(alone0);
            assertEquals(0.0, maxAbsDiff(alone0, slice(batch, 0, 2)), 1e-5 * scale);
            assertEquals(0.0, maxAbsDiff(alone1, slice(batch, 1, 2)), 1e-5 * scale);
        }
    }

    @Test
    void identicalBranchesAreNotChangedByTheControl() {
        try (NDManager m = sd.manager().newSubManager()) {
            NDArray text = sd.encodePrompt(m, "a photo of a cat");
            NDArray a = latent(m, 3);
            float[] alone = predict(a, text);
            MutualSelfAttentionControl c = new MutualSelfAttentionControl(0, 0);
            float[] batch;
            try (var ignored = c.install(unet)) {
                batch = predict(a.concat(a, 0), text);
            }
            double scale = maxAbs(alone);
            assertEquals(0.0, maxAbsDiff(alone, slice(batch, 0, 2)), 1e-5 * scale);
            assertEquals(0.0, maxAbsDiff(alone, slice(batch, 1, 2)), 1e-5 * scale);
        }
    }

    @Test
    void withTheControlOnTheOriginalIsUnchangedAndTheEditedBranchDiffers() {
        try (NDManager m = sd.manager().newSubManager()) {
            NDArray text = sd.encodePrompt(m, "a photo of a cat");
            NDArray a = latent(m, 4);
            NDArray b = latent(m, 5);
            float[] alone0 = predict(a, text);
            float[] alone1 = predict(b, text);
            MutualSelfAttentionControl c = new MutualSelfAttentionControl(0, 10);
            float[] batch;
            try (var ignored = c.install(unet)) {
                batch = predict(a.concat(b, 0), text);
                c.setStep(0);
                // before the start step the control is inert
                MutualSelfAttentionControl late = new MutualSelfAttentionControl(3, 10);
                late.setStep(2);
                try (var ignored2 = late.install(unet)) {
                    float[] inert = predict(a.concat(b, 0), text);
                    assertEquals(0.0, maxAbsDiff(alone1, slice(inert, 1, 2)), 1e-5 * maxAbs(alone1));
                }
            }
            assertEquals(0.0, maxAbsDiff(alone0, slice(batch, 0, 2)), 1e-5 * maxAbs(alone0),
                    "the original branch attends to itself: unchanged");
            assertTrue(maxAbsDiff(alone1, slice(batch, 1, 2)) > 1e-3 * maxAbs(alone1),
                    "the edited branch must change when it attends to another latent's keys/values");
            // processors are restored after close
            for (Attention l : unet.attentionLayers()) {
                assertEquals(AttentionProcessor.DEFAULT, l.processor());
            }
        }
    }

    /**
     * Self-attention layer 10 (first of up_blocks[2]): with a LoRA attached and the control on, the edited item's
     * output equals to_out(softmax(q_e k_o^T / sqrt d) v_o) computed here in plain Java from the layer's weights plus
     * the LoRA's B A, and the original item's output equals its ordinary self-attention.
     */
    @Test
    void editedBranchAttendsWithItsQueriesToTheOriginalsKeysAndValuesWithLora() {
        LoraWeights lora = TinySd.randomLora(unet, 0.05f);
        Attention layer = unet.attentionLayers().stream().filter(a -> a.info().selfIndex() == 10).findFirst()
                .orElseThrow();
        assertFalse(layer.info().kind() == Attention.Kind.CROSS);
        try (NDManager m = sd.manager().newSubManager();
             AttachedLora l = AttachedLora.attach(unet, lora, m)) {
            NDArray text = sd.encodePrompt(m, "a photo of a cat");
            NDArray x = latent(m, 6).concat(latent(m, 7), 0);
            MutualSelfAttentionControl c = new MutualSelfAttentionControl(0, 10);
            float[][] captured = new float[2][];
            long[][] shape = new long[1][];
            try (var ignored = c.install(unet)) {
                layer.setProcessor((attn, hidden, context, call) -> {
                    NDArray out = c.process(attn, hidden, context, call);
                    captured[0] = hidden.toFloatArray();
                    captured[1] = out.toFloatArray();
                    shape[0] = hidden.getShape().getShape();
                    return out;
                });
                unet.predictNoise(x, 741, text);
            }
            int n = (int) shape[0][1];
            int ch = (int) shape[0][2];
            assertEquals(2, shape[0][0]);
            String p = layer.info().path();
            float[][] wq = effective(layer, Attention.Projection.Q, lora, p + ".to_q");
            float[][] wk = effective(layer, Attention.Projection.K, lora, p + ".to_k");
            float[][] wv = effective(layer, Attention.Projection.V, lora, p + ".to_v");
            float[][] wo = effective(layer, Attention.Projection.OUT, lora, p + ".to_out.0");
            float[] bo = layer.projection(Attention.Projection.OUT).bias().get().toFloatArray();
            float[] h0 = new float[n * ch];
            float[] h1 = new float[n * ch];
            System.arraycopy(captured[0], 0, h0, 0, n * ch);
            System.arraycopy(captured[0], n * ch, h1, 0, n * ch);
            int heads = layer.info().heads();
            float[] expectEdited = attentionReference(h1, h0, wq, wk, wv, wo, bo, n, ch, heads);
            float[] expectOriginal = attentionReference(h0, h0, wq, wk, wv, wo, bo, n, ch, heads);
            float[] gotOriginal = slice(captured[1], 0, 2);
            float[] gotEdited = slice(captured[1], 1, 2);
            double scale = maxAbs(expectEdited);
            assertTrue(scale > 1e-3, "a non-trivial layer output");
            assertEquals(0.0, maxAbsDiff(expectEdited, gotEdited), 1e-4 * scale);
            assertEquals(0.0, maxAbsDiff(expectOriginal, gotOriginal), 1e-4 * maxAbs(expectOriginal));
            // and it is not the edited item's own self-attention
            float[] own = attentionReference(h1, h1, wq, wk, wv, wo, bo, n, ch, heads);
            assertTrue(maxAbsDiff(own, gotEdited) > 1e-3 * scale);
        }
    }

    /** W + f B A as [out][in] doubles-in-floats. */
    private static float[][] effective(Attention layer, Attention.Projection proj, LoraWeights lora, String module) {
        var lin = layer.projection(proj);
        float[] w = lin.weight().get().toFloatArray();
        float[][] out = new float[lin.out][lin.in];
        LoraLayerWeights l = lora.layers().get(module);
        double f = lora.scale() * l.alphaFactor();
        for (int o = 0; o < lin.out; o++) {
            for (int i = 0; i < lin.in; i++) {
                double d = 0;
                for (int r = 0; r < l.rank(); r++) {
                    d += l.up()[o * l.rank() + r] * l.down()[r * lin.in + i];
                }
                out[o][i] = (float) (w[o * lin.in + i] + f * d);
            }
        }
        return out;
    }

    private static double[] project(float[] x, float[][] w, int n, int in) {
        int out = w.length;
        double[] y = new double[n * out];
        for (int t = 0; t < n; t++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    s += w[o][i] * x[t * in + i];
                }
                y[t * out + o] = s;
            }
        }
        return y;
    }

    /** to_out(softmax_h(q(hq) k(hkv)^T / sqrt d) v(hkv)) + b_out, tokens [n, ch], heads split along channels. */
    static float[] attentionReference(float[] hq, float[] hkv, float[][] wq, float[][] wk, float[][] wv,
                                      float[][] wo, float[] bo, int n, int ch, int heads) {
        double[] q = project(hq, wq, n, ch);
        double[] k = project(hkv, wk, n, ch);
        double[] v = project(hkv, wv, n, ch);
        int d = ch / heads;
        double[] att = new double[n * ch];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += q[i * ch + h * d + e] * k[j * ch + h * d + e];
                    }
                    s[j] = dot / Math.sqrt(d);
                    max = Math.max(max, s[j]);
                }
                double z = 0;
                for (int j = 0; j < n; j++) {
                    s[j] = Math.exp(s[j] - max);
                    z += s[j];
                }
                for (int e = 0; e < d; e++) {
                    double acc = 0;
                    for (int j = 0; j < n; j++) {
                        acc += s[j] / z * v[j * ch + h * d + e];
                    }
                    att[i * ch + h * d + e] = acc;
                }
            }
        }
        float[] out = new float[n * ch];
        for (int t = 0; t < n; t++) {
            for (int o = 0; o < ch; o++) {
                double s = bo[o];
                for (int i = 0; i < ch; i++) {
                    s += wo[o][i] * att[t * ch + i];
                }
                out[t * ch + o] = (float) s;
            }
        }
        return out;
    }
}
