package io.rotationdrag.synth;

import io.rotationdrag.diffusion.EmbeddedModel;

import javax.imageio.ImageIO;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Command line: {@code WriteDemoSample <outDir> [seed=4242] [size=64] [angle=60]}. Writes one synthetic rotation
 * edit as the HTTP API takes it: {@code image.png}, {@code mask.png} (white = editable, the swept region),
 * {@code points.json} ({@code [[hx,hy],[tx,ty],[ax,ay],[ax,ay]]}: the drag, then the pivot as a rotation axis),
 * {@code prompt.txt}, and {@code truth.png} (the part really turned, for comparison). Prints one line
 * {@code embedded-model=available|missing} saying whether the embedded default model is on this class path.
 * The seed must not be the reporting benchmark's.
 */
public final class WriteDemoSample {
    private WriteDemoSample() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: WriteDemoSample <outDir> [seed=4242] [size=64] [angle=60]");
            System.exit(2);
        }
        Path out = Files.createDirectories(Path.of(args[0]));
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 4242L;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        double angle = args.length > 3 ? Double.parseDouble(args[3]) : 60;
        RotationBenchmark.requireTrainingSeed(seed); // keep the reported scenes out of demos too
        Scene scene = new SceneSampler(seed).nextFitting(angle);
        RotationSample s = RotationBenchmark.sample("demo", scene, size, angle, true);
        ImageIO.write(s.image(), "png", out.resolve("image.png").toFile());
        ImageIO.write(s.groundTruth(), "png", out.resolve("truth.png").toFile());
        ImageIO.write(maskImage(s.mask()), "png", out.resolve("mask.png").toFile());
        Files.writeString(out.resolve("points.json"), points(s), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("prompt.txt"), s.prompt(), StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "sample: %s, %dx%d, part turned %.1f deg about (%.1f, %.1f), prompt \"%s\"%n",
                out.toAbsolutePath(), size, size, angle, s.axis().getX(), s.axis().getY(), s.prompt());
        System.out.println("embedded-model=" + (EmbeddedModel.isAvailable() ? "available" : "missing"));
    }

    static BufferedImage maskImage(byte[][] mask) {
        int h = mask.length, w = mask[0].length;
        BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                m.getRaster().setSample(x, y, 0, mask[y][x] != 0 ? 255 : 0);
            }
        }
        return m;
    }

    static String points(RotationSample s) {
        Point2D h = s.handle(), t = s.target(), a = s.axis();
        return String.format(Locale.ROOT, "[[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f]]", h.getX(), h.getY(),
                t.getX(), t.getY(), a.getX(), a.getY(), a.getX(), a.getY());
    }
}
