package io.rotationdrag.edit;

import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.EngineOptions;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TinyModelFactory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import io.rotationdrag.diffusion.unet.Attention;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.lora.LoraLayerWeights;
import io.rotationdrag.lora.LoraWeights;

/** Tiny SD-1.5-shaped models (with text encoder) and test images for the edit-stage tests. */
public final class TinySd {
    private TinySd() {
    }

    /**
     * Writes and loads a tiny model (UNet 16/32/32/32, 16 self-attention layers, VAE x8) with one intra-op thread:
     * its tensors are far too small to gain from a second thread, and on a shared machine two spinning OpenMP
     * threads per op cost more than they give.
     */
    public static StableDiffusion load(Path dir, long seed) throws IOException {
        return StableDiffusion.load(TinyModelFactory.write(dir.resolve("tiny-" + seed), TinyModelFactory.Spec.small(),
                seed), new EngineOptions("cpu", EngineOptions.Precision.FP32, 1));
    }

    /** A smooth colour gradient with a bright disc: structured enough for a LoRA to learn something. */
    public static BufferedImage image(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = 40 + 160 * x / Math.max(1, w - 1);
                int g = 60 + 120 * y / Math.max(1, h - 1);
                int b = 90;
                double dx = x - 0.6 * w;
                double dy = y - 0.4 * h;
                if (dx * dx + dy * dy < (0.18 * w) * (0.18 * w)) {
                    r = 240;
                    g = 230;
                    b = 60;
                }
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    /** Live NDArrays under a manager, sub-managers included. */
    public static int liveArrays(NDManager m) {
        return m.getManagedArrays().size();
    }

    /** A random rank-4 LoRA on every projection of every attention layer (a non-trivial delta). */
    public static LoraWeights randomLora(UNet2DConditionModel unet, float std) {
        Random rnd = new Random(3);
        Map<String, LoraLayerWeights> layers = new HashMap<>();
        int r = 4;
        for (Attention a : unet.attentionLayers()) {
            for (Attention.Projection p : Attention.Projection.values()) {
                var lin = a.projection(p);
                String mod = a.info().path() + "." + p.module;
                float[] dn = new float[r * lin.in];
                float[] up = new float[lin.out * r];
                for (int i = 0; i < dn.length; i++) {
                    dn[i] = (float) rnd.nextGaussian() * std * 4;
                }
                for (int i = 0; i < up.length; i++) {
                    up[i] = (float) rnd.nextGaussian() * std;
                }
                layers.put(mod, new LoraLayerWeights(mod, r, lin.in, lin.out, dn, up, Float.NaN));
            }
        }
        return new LoraWeights(layers, 1.0, Map.of());
    }
}
