package io.rotationdrag.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LoRA on a real (tiny) UNet read from the golden diffusers folder. */
class LoraAdapterTest {

    static NDManager manager;
    static UNet2DConditionModel unet;

    @BeforeAll
    static void load() throws Exception {
        manager = NDManager.newBaseManager();
        Path dir = Path.of(System.getProperty("rotationdrag.shared.dir", "../../shared"), "golden", "tiny-sd-a", "unet");
        unet = UNet2DConditionModel.load(dir, manager, DataType.FLOAT32);
    }

    @AfterAll
    static void close() {
        unet.close();
        manager.close();
    }

    private static float[] noise(NDManager m) {
        m.getEngine().setRandomSeed(7);
        NDArray x = m.randomNormal(new Shape(1, 4, 8, 8));
        NDArray c = m.randomNormal(new Shape(1, 5, 32));
        return unet.predictNoise(x, 501, c).toFloatArray();
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void zeroUpWeightsLeaveTheOutputUnchanged() {
        try (NDManager m = manager.newSubManager()) {
            float[] base = noise(m);
            try (LoraAdapter a = LoraAdapter.create(unet, LoraOptions.defaults().withRank(4), m)) {
                assertEquals(32 * 4, a.size(), "4 projections on each of the 32 attention layers");
                a.attach();
                float[] adapted = noise(m);
                assertEquals(0.0, maxAbsDiff(base, adapted), 1e-6);
            }
        }
    }

    @Test
    void nonZeroLoraChangesTheOutputAndRoundTripsThroughBytes() {
        try (NDManager m = manager.newSubManager()) {
            float[] base = noise(m);
            LoraWeights w = randomWeights(LoraOptions.defaults().withRank(4), 0.05f);
            float[] adapted;
            try (LoraAdapter a = LoraAdapter.load(unet, w, m)) {
                a.attach();
                adapted = noise(m);
                assertEquals(w.layers(), a.toWeights(Map.of()).layers(), "adapter keeps the weights exactly");
            }
            assertTrue(maxAbsDiff(base, adapted) > 1e-4, "a non-zero LoRA must change the prediction");
            assertEquals(0.0, maxAbsDiff(base, noise(m)), 0.0, "close() detaches");
            LoraWeights back = LoraWeights.fromBytes(w.toBytes());
            try (LoraAdapter a = LoraAdapter.load(unet, back, m)) {
                a.attach();
                assertEquals(0.0, maxAbsDiff(adapted, noise(m)), 0.0);
            }
        }
    }

    /**
     * A file in the reference's attention-processor layout, written here with the Python key names, loads to the same
     * weights and the same UNet output as our own file.
     */
    @Test
    void referenceProcessorLayoutFileGivesTheSameUNet() throws Exception {
        LoraWeights w = randomWeights(LoraOptions.defaults().withRank(4), 0.05f);
        List<HostTensor> ts = new ArrayList<>();
        for (LoraLayerWeights l : w.layers().values()) {
            String attn = LoraKeys.attentionOf(l.module());
            String proj = LoraKeys.projection(l.module());
            // e.g. unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.processor.to_q_lora.down.weight
            ts.add(new HostTensor("unet." + attn + ".processor." + proj + "_lora.down.weight",
                    new long[]{l.rank(), l.in()}, l.down()));
            ts.add(new HostTensor("unet." + attn + ".processor." + proj + "_lora.up.weight",
                    new long[]{l.out(), l.rank()}, l.up()));
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        SafeTensors.write(bos, ts, Map.of(), SafeTensors.DType.F32);
        LoraWeights ref = LoraWeights.fromBytes(bos.toByteArray());
        assertEquals(w.layers(), ref.layers());
        try (NDManager m = manager.newSubManager()) {
            float[] ours;
            try (LoraAdapter a = LoraAdapter.load(unet, w, m)) {
                a.attach();
                ours = noise(m);
            }
            try (LoraAdapter a = LoraAdapter.load(unet, ref, m)) {
                a.attach();
                assertEquals(0.0, maxAbsDiff(ours, noise(m)), 0.0);
            }
        }
    }

    @Test
    void scaleAndAlphaScaleTheUpdateLinearly() {
        // the delta is linear in s * alpha / r: halving the scale halves (prediction - base) to first order only,
        // so compare one projection's delta directly instead
        LoraWeights w = randomWeights(LoraOptions.defaults().withRank(4), 0.05f);
        try (NDManager m = manager.newSubManager()) {
            float[] base = noise(m);
            float[] full;
            try (LoraAdapter a = LoraAdapter.load(unet, w, m)) {
                a.attach();
                full = noise(m);
            }
            Map<String, LoraLayerWeights> withAlpha = new HashMap<>();
            for (LoraLayerWeights l : w.layers().values()) {
                // alpha = 2 with rank 4 -> factor 0.5; scale 2 -> overall 1: same UNet as the plain weights
                withAlpha.put(l.module(), new LoraLayerWeights(l.module(), l.rank(), l.in(), l.out(), l.down(), l.up(), 2f));
            }
            try (LoraAdapter a = LoraAdapter.load(unet, new LoraWeights(withAlpha, 2.0, Map.of()), m)) {
                a.attach();
                assertEquals(0.0, maxAbsDiff(full, noise(m)), 1e-6);
            }
            try (LoraAdapter a = LoraAdapter.load(unet, w.withScale(0.0), m)) {
                a.attach();
                assertEquals(0.0, maxAbsDiff(base, noise(m)), 1e-6);
            }
        }
    }

    @Test
    void aLoraForAnotherModelIsRejected() {
        LoraLayerWeights bad = new LoraLayerWeights("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q", 2, 320,
                320, new float[640], new float[640], Float.NaN);
        LoraWeights w = new LoraWeights(Map.of(bad.module(), bad), 1.0, Map.of());
        var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(unet, w, manager));
        assertTrue(e.getMessage().contains("320->320"), e.getMessage());
        LoraLayerWeights missing = new LoraLayerWeights("down_blocks.9.attentions.0.transformer_blocks.0.attn1.to_q", 2,
                32, 32, new float[64], new float[64], Float.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(unet,
                new LoraWeights(Map.of(missing.module(), missing), 1.0, Map.of()), manager));
        assertTrue(e.getMessage().contains("does not have"), e.getMessage());
    }

    static LoraWeights randomWeights(LoraOptions o, float std) {
        Random rnd = new Random(3);
        Map<String, LoraLayerWeights> layers = new HashMap<>();
        for (var a : unet.attentionLayers()) {
            for (var p : io.rotationdrag.diffusion.unet.Attention.Projection.values()) {
                var lin = a.projection(p);
                String mod = a.info().path() + "." + p.module;
                float[] d = new float[o.rank() * lin.in];
                float[] u = new float[lin.out * o.rank()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) rnd.nextGaussian() * std * 4;
                }
                for (int i = 0; i < u.length; i++) {
                    u[i] = (float) rnd.nextGaussian() * std;
                }
                layers.put(mod, new LoraLayerWeights(mod, o.rank(), lin.in, lin.out, d, u, Float.NaN));
            }
        }
        return new LoraWeights(layers, 1.0, Map.of());
    }
}
