package io.rotationdrag.train;

import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.eval.MaskedPsnr;
import io.rotationdrag.eval.PixelMask;
import io.rotationdrag.synth.NamedColor;
import io.rotationdrag.synth.Scene;
import io.rotationdrag.synth.SceneRenderer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Does a sample from noise follow its prompt? A number instead of a look at {@link SampleGrid}: for n prompts of
 * fresh scenes it scores three image sets against the same prompts, (1) DDIM samples from pure noise, (2) VAE
 * reconstructions of the rendered scenes (what the autoencoder can give back at best), (3) the rendered scenes.
 *
 * <ul>
 *   <li><b>background</b>: the palette colour nearest to the median of the top row (both background styles start
 *       there with the named colour) is the prompt's background colour; chance is 1/12.</li>
 *   <li><b>part colour</b>: at least {@link #PART_PIXELS} of the pixels lie within {@link #TOLERANCE} (RGB
 *       distance) of the prompt's part colour.</li>
 *   <li><b>decoy</b>: the same test for a colour the prompt did not name, drawn like the part colour (far from
 *       the background, not the body's); the rate at which the test fires without the prompt's help. Only
 *       part-colour hits above the decoy rate say the model follows the part's colour.</li>
 * </ul>
 * Usage: {@code SampleFidelity [model dir|embedded] [n=64] [seed=199] [steps=25, 0 = no samples] [guidance=3]}.
 */
public final class SampleFidelity {

    /** RGB distance within which a pixel counts as a palette colour (palette colours are >= 110 apart here). */
    static final double TOLERANCE = 60;
    /** Fraction of the image a colour must cover to count as present (a 64x64 scene's part covers ~1.5-3%). */
    static final double PART_PIXELS = 0.005;

    /** Hits over {@code n} images. */
    public record Scores(int n, int background, int partColor, int decoy) {
        String row(String name) {
            return String.format(Locale.ROOT, "%-24s %4d   %5.3f       %5.3f        %5.3f", name, n,
                    background / (double) n, partColor / (double) n, decoy / (double) n);
        }
    }

    private SampleFidelity() {
    }

    public static void main(String[] args) throws IOException {
        Path model = args.length > 0 && !args[0].equals("embedded") ? Path.of(args[0]) : EmbeddedModel.locate();
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 199;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 25;
        double guidance = args.length > 4 ? Double.parseDouble(args[4]) : 3.0;
        try (StableDiffusion sd = StableDiffusion.load(model)) {
            List<Scene> scenes = SampleGrid.freshScenes(seed, n);
            List<BufferedImage> renders = SampleGrid.renders(scenes, sd.vae().config().sampleSize());
            System.out.printf(Locale.ROOT, "model %s, %d prompts of scene seed %d, %d DDIM steps, guidance %.1f%n",
                    model, n, seed, steps, guidance);
            System.out.println("images                      n   background  part colour  decoy colour");
            if (steps > 0) { // steps 0: the autoencoder's rows only
                long t0 = System.nanoTime();
                List<BufferedImage> samples = SampleGrid.samplesFromNoise(sd,
                        scenes.stream().map(Scene::prompt).toList(), steps, guidance, seed);
                System.out.println(score(samples, scenes, seed).row("samples from noise")
                        + String.format(Locale.ROOT, "   (%.1f s of sampling)", (System.nanoTime() - t0) / 1e9));
            }
            List<BufferedImage> recons = SampleGrid.reconstructions(sd, renders);
            System.out.println(score(recons, scenes, seed).row("VAE reconstructions"));
            System.out.println(score(renders, scenes, seed).row("rendered scenes"));
            double[] psnr = reconstructionPsnr(recons, renders, scenes);
            System.out.printf(Locale.ROOT, "VAE reconstruction PSNR (mean over images): whole image %.2f dB, "
                    + "part pixels %.2f dB%n", psnr[0], psnr[1]);
        }
    }

    /** Scores each image against its scene's prompt; the decoy colours are drawn from {@code seed}. */
    public static Scores score(List<BufferedImage> images, List<Scene> scenes, long seed) {
        if (images.size() != scenes.size()) {
            throw new IllegalArgumentException(images.size() + " images for " + scenes.size() + " scenes");
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int bg = 0, part = 0, decoy = 0;
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i);
            Scene s = scenes.get(i);
            int min = (int) Math.ceil(PART_PIXELS * img.getWidth() * img.getHeight());
            bg += backgroundOf(img) == s.bgColor() ? 1 : 0;
            part += pixelsNear(img, s.partColor()) >= min ? 1 : 0;
            decoy += pixelsNear(img, decoyFor(s, rnd)) >= min ? 1 : 0;
        }
        return new Scores(images.size(), bg, part, decoy);
    }

    /** Mean PSNR of each reconstruction against its render: {whole image, the part's pixels}. */
    static double[] reconstructionPsnr(List<BufferedImage> recons, List<BufferedImage> renders, List<Scene> scenes) {
        double whole = 0, part = 0;
        for (int i = 0; i < recons.size(); i++) {
            BufferedImage r = renders.get(i);
            int w = r.getWidth(), h = r.getHeight();
            boolean[][] m = SceneRenderer.partMask(scenes.get(i), w);
            boolean[] rowMajor = new boolean[w * h];
            for (int y = 0; y < h; y++) {
                System.arraycopy(m[y], 0, rowMajor, y * w, w);
            }
            whole += MaskedPsnr.psnrFromMse(MaskedPsnr.mse(recons.get(i), r, PixelMask.filled(w, h, true)));
            part += MaskedPsnr.psnrFromMse(MaskedPsnr.mse(recons.get(i), r, PixelMask.of(w, h, rowMajor)));
        }
        return new double[]{whole / recons.size(), part / recons.size()};
    }

    /** The palette colour nearest to the per-channel median of the top row. */
    static NamedColor backgroundOf(BufferedImage img) {
        int w = img.getWidth();
        int[] r = new int[w], g = new int[w], b = new int[w];
        for (int x = 0; x < w; x++) {
            int p = img.getRGB(x, 0);
            r[x] = (p >> 16) & 0xff;
            g[x] = (p >> 8) & 0xff;
            b[x] = p & 0xff;
        }
        return nearest(median(r), median(g), median(b));
    }

    static NamedColor nearest(int r, int g, int b) {
        NamedColor best = null;
        double bestD = Double.MAX_VALUE;
        for (NamedColor c : NamedColor.values()) {
            double d = distance(c, r, g, b);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    static int pixelsNear(BufferedImage img, NamedColor c) {
        int count = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                if (distance(c, (p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff) <= TOLERANCE) {
                    count++;
                }
            }
        }
        return count;
    }

    /** A colour the scene could have had as its part but does not: >= 150 from the background, not part or body. */
    static NamedColor decoyFor(Scene s, SplittableRandom rnd) {
        List<NamedColor> options = Arrays.stream(NamedColor.values())
                .filter(c -> c != s.partColor() && c != s.bodyColor() && c.distance(s.bgColor()) >= 150
                        && c.distance(s.partColor()) > 2 * TOLERANCE && c.distance(s.bodyColor()) > 2 * TOLERANCE)
                .toList();
        if (options.isEmpty()) {
            throw new IllegalStateException("no decoy colour for " + s.prompt());
        }
        return options.get(rnd.nextInt(options.size()));
    }

    private static double distance(NamedColor c, int r, int g, int b) {
        java.awt.Color k = c.color();
        double dr = k.getRed() - r, dg = k.getGreen() - g, db = k.getBlue() - b;
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    private static int median(int[] v) {
        int[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
