package io.rotationdrag.train;

import io.rotationdrag.synth.RotationBenchmark;
import io.rotationdrag.synth.Scene;
import io.rotationdrag.synth.SceneRenderer;
import io.rotationdrag.synth.SceneSampler;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * An endless seeded stream of training scenes (every scene new, parts at random angles), as batches of pixels in
 * [-1, 1], NCHW. Refuses the reporting benchmark's seed.
 */
public final class SceneDataset {

    /** One batch: {@code pixels} is B x 3 x S x S, row-major, values (v / 127.5 - 1). */
    public record Batch(float[] pixels, List<String> prompts, int size) {
        public int batchSize() {
            return prompts.size();
        }

        public long[] shape() {
            return new long[]{prompts.size(), 3, size, size};
        }
    }

    private final SceneSampler sampler;
    private final int size;

    public SceneDataset(long seed, int size) {
        RotationBenchmark.requireTrainingSeed(seed);
        if (size < 16) {
            throw new IllegalArgumentException("image size must be at least 16: " + size);
        }
        this.sampler = new SceneSampler(seed);
        this.size = size;
    }

    public Batch next(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive: " + batchSize);
        }
        int plane = size * size;
        float[] px = new float[batchSize * 3 * plane];
        List<String> prompts = new ArrayList<>(batchSize);
        for (int b = 0; b < batchSize; b++) {
            Scene s = sampler.next();
            prompts.add(s.prompt());
            toPixels(SceneRenderer.render(s, size), px, b * 3 * plane);
        }
        return new Batch(px, prompts, size);
    }

    /** Writes an RGB image as 3 planes of (v / 127.5 - 1) starting at {@code offset}. */
    public static void toPixels(BufferedImage img, float[] out, int offset) {
        int w = img.getWidth(), h = img.getHeight(), plane = w * h;
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            out[offset + i] = ((p >> 16) & 0xff) / 127.5f - 1f;
            out[offset + plane + i] = ((p >> 8) & 0xff) / 127.5f - 1f;
            out[offset + 2 * plane + i] = (p & 0xff) / 127.5f - 1f;
        }
    }

    /** Inverse of {@link #toPixels}: values clamped to [-1, 1], mapped to 0..255 with rounding. */
    public static BufferedImage toImage(float[] chw, int offset, int size) {
        int plane = size * size;
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            int r = to255(chw[offset + i]), g = to255(chw[offset + plane + i]), b = to255(chw[offset + 2 * plane + i]);
            rgb[i] = (r << 16) | (g << 8) | b;
        }
        img.setRGB(0, 0, size, size, rgb, 0, size);
        return img;
    }

    private static int to255(float v) {
        float c = Math.max(-1f, Math.min(1f, v));
        return Math.round((c + 1f) * 127.5f);
    }
}
