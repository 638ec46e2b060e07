package io.rotationdrag.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.synth.ImageGrid;
import io.rotationdrag.synth.Scene;
import io.rotationdrag.synth.SceneRenderer;
import io.rotationdrag.synth.SceneSampler;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * What the model has learned, as one PNG: for {@code n} prompts of fresh random scenes, three bands of
 * {@code cols} columns each, top to bottom: (1) DDIM samples from pure noise (text-conditioned, guidance g),
 * (2) VAE reconstructions of the rendered scenes, (3) the rendered scenes themselves (what training saw).
 * Usage: {@code SampleGrid <out.png> [model dir|embedded] [n=16] [seed=99] [steps=25] [guidance=3]}.
 */
public final class SampleGrid {

    private static final int CHUNK = 8;

    private SampleGrid() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: SampleGrid <out.png> [modelDir|embedded] [n=16] [seed=99] [steps=25] [guidance=3]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Path model = args.length > 1 && !args[1].equals("embedded") ? Path.of(args[1]) : EmbeddedModel.locate();
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 99;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 25;
        double guidance = args.length > 5 ? Double.parseDouble(args[5]) : 3.0;
        try (StableDiffusion sd = StableDiffusion.load(model)) {
            BufferedImage grid = render(sd, n, seed, steps, guidance);
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            ImageIO.write(grid, "png", out.toFile());
            System.out.printf(Locale.ROOT, "wrote %s: %d prompts (seed %d, %d DDIM steps, guidance %.1f); bands: "
                    + "samples from noise | VAE reconstructions | rendered scenes%n", out, n, seed, steps, guidance);
        }
    }

    public static BufferedImage render(StableDiffusion sd, int n, long seed, int steps, double guidance) {
        List<Scene> scenes = freshScenes(seed, n);
        List<BufferedImage> refs = renders(scenes, sd.vae().config().sampleSize());
        List<BufferedImage> all = new ArrayList<>(samplesFromNoise(sd, scenes.stream().map(Scene::prompt).toList(),
                steps, guidance, seed));
        all.addAll(reconstructions(sd, refs));
        all.addAll(refs);
        return ImageGrid.grid(all, Math.min(8, n), 2, 4);
    }

    /** The first {@code n} scenes of {@link SceneSampler}'s stream for {@code seed}. */
    static List<Scene> freshScenes(long seed, int n) {
        SceneSampler sampler = new SceneSampler(seed);
        List<Scene> scenes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scenes.add(sampler.next());
        }
        return scenes;
    }

    /** Each scene rendered at {@code size} x {@code size}. */
    static List<BufferedImage> renders(List<Scene> scenes, int size) {
        return scenes.stream().map(s -> SceneRenderer.render(s, size)).toList();
    }

    /** DDIM samples from pure noise, one per prompt, in chunks of 8 (chunk k starts its noise at seed + 8k). */
    static List<BufferedImage> samplesFromNoise(StableDiffusion sd, List<String> prompts, int steps, double guidance,
                                                long seed) {
        int size = sd.vae().config().sampleSize();
        long[] ls = sd.latentShape(1, size, size);
        int plane = 3 * size * size;
        List<BufferedImage> samples = new ArrayList<>();
        TrainableAutoencoder ae = EngineAdapters.autoencoder(sd.vae());
        for (int i = 0; i < prompts.size(); i += CHUNK) {
            List<String> chunk = prompts.subList(i, Math.min(prompts.size(), i + CHUNK));
            try (NDManager sub = sd.manager().newSubManager()) {
                NDArray img = DdimSampler.sample(sub, EngineAdapters.denoiser(sd.unet()), ae,
                        EngineAdapters.prompts(sd), sd.scheduler(), sd.vae().scalingFactor(),
                        new long[]{ls[1], ls[2], ls[3]}, chunk, steps, guidance, seed + i);
                float[] f = img.toType(DataType.FLOAT32, false).toFloatArray();
                for (int k = 0; k < chunk.size(); k++) {
                    samples.add(SceneDataset.toImage(f, k * plane, size));
                }
            }
        }
        return samples;
    }

    /** The VAE's round trip (encode to the posterior mean, decode) of each image. */
    static List<BufferedImage> reconstructions(StableDiffusion sd, List<BufferedImage> images) {
        int size = sd.vae().config().sampleSize();
        int plane = 3 * size * size;
        List<BufferedImage> recons = new ArrayList<>();
        TrainableAutoencoder ae = EngineAdapters.autoencoder(sd.vae());
        for (int i = 0; i < images.size(); i += CHUNK) {
            int c = Math.min(images.size() - i, CHUNK);
            try (NDManager sub = sd.manager().newSubManager()) {
                float[] px = new float[c * plane];
                for (int k = 0; k < c; k++) {
                    SceneDataset.toPixels(images.get(i + k), px, k * plane);
                }
                NDArray x = OwnedArrays.of(sub, px, new Shape(c, 3, size, size));
                float[] r = ae.decode(ae.encodeMoments(x)[0]).toType(DataType.FLOAT32, false).toFloatArray();
                for (int k = 0; k < c; k++) {
                    recons.add(SceneDataset.toImage(r, k * plane, size));
                }
            }
        }
        return recons;
    }
}
