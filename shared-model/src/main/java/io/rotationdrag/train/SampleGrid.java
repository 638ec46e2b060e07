package io.rotationdrag.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
        int size = sd.vae().config().sampleSize();
        SceneSampler sampler = new SceneSampler(seed);
        List<String> prompts = new ArrayList<>();
        List<BufferedImage> refs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Scene s = sampler.next();
            prompts.add(s.prompt());
            refs.add(SceneRenderer.render(s, size));
        }
        long[] ls = sd.latentShape(1, size, size);
        List<BufferedImage> samples = new ArrayList<>();
        List<BufferedImage> recons = new ArrayList<>();
        TrainableAutoencoder ae = EngineAdapters.autoencoder(sd.vae());
        try (NDManager m = sd.manager().newSubManager()) {
            int plane = 3 * size * size;
            for (int i = 0; i < n; i += 8) {
                List<String> chunk = prompts.subList(i, Math.min(n, i + 8));
                try (NDManager sub = m.newSubManager()) {
                    NDArray img = DdimSampler.sample(sub, EngineAdapters.denoiser(sd.unet()), ae,
                            EngineAdapters.prompts(sd), sd.scheduler(), sd.vae().scalingFactor(),
                            new long[]{ls[1], ls[2], ls[3]}, chunk, steps, guidance, seed + i);
                    float[] f = img.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                    for (int k = 0; k < chunk.size(); k++) {
                        samples.add(SceneDataset.toImage(f, k * plane, size));
                    }
                    float[] px = new float[chunk.size() * plane];
                    for (int k = 0; k < chunk.size(); k++) {
                        SceneDataset.toPixels(refs.get(i + k), px, k * plane);
                    }
                    NDArray x = OwnedArrays.of(sub, px, new Shape(chunk.size(), 3, size, size));
                    NDArray rec = ae.decode(ae.encodeMoments(x)[0]);
                    float[] r = rec.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                    for (int k = 0; k < chunk.size(); k++) {
                        recons.add(SceneDataset.toImage(r, k * plane, size));
                    }
                }
            }
        }
        List<BufferedImage> all = new ArrayList<>(samples);
        all.addAll(recons);
        all.addAll(refs);
        return ImageGrid.grid(all, Math.min(8, n), 2, 4);
    }
}
