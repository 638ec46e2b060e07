package io.rotationdrag.eval;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes DragBench-format sample folders ({@code original_image.png}, {@code meta_data.pkl},
 * {@code user_drag.png}, and {@code ground_truth.png} when the sample has one) and edited results at
 * {@code <root>/<category>/<sample>/dragged_image.png}, the layout DragBench's evaluation scripts read.
 */
public final class DragBenchWriter {
    public static final String RESULT = "dragged_image.png";

    private DragBenchWriter() {
    }

    /** Writes the sample into {@code dir} (created if needed). */
    public static void writeSample(Path dir, DragBenchSample s) {
        try {
            Files.createDirectories(dir);
            png(s.image(), dir.resolve(DragBenchReader.IMAGE));
            Files.write(dir.resolve(DragBenchReader.META), metaPickle(s));
            png(DragArrows.render(s.image(), s.mask(), s.points()), dir.resolve(DragBenchReader.USER_DRAG));
            if (s.groundTruth() != null) {
                png(s.groundTruth(), dir.resolve(DragBenchReader.GROUND_TRUTH));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write sample " + s.id() + " to " + dir, e);
        }
    }

    /** Writes under {@code root/category/name} (or {@code root/name} for a flat dataset). */
    public static Path writeSampleUnder(Path root, DragBenchSample s) {
        Path dir = s.category().isEmpty() ? root.resolve(s.name()) : root.resolve(s.category()).resolve(s.name());
        writeSample(dir, s);
        return dir;
    }

    /**
     * The metadata pickle: {@code {'prompt': str, 'points': [[x, y], ...], 'mask': uint8 HxW (1 = editable)}}.
     * Integral coordinates are written as ints, others as floats.
     */
    public static byte[] metaPickle(DragBenchSample s) {
        List<Object> pts = new ArrayList<>();
        for (HandleTarget p : s.points()) {
            pts.add(List.of(num(p.hx()), num(p.hy())));
            pts.add(List.of(num(p.tx()), num(p.ty())));
        }
        PixelMask m = s.mask();
        double[] bits = new double[m.width() * m.height()];
        boolean[] b = m.toArray();
        for (int i = 0; i < bits.length; i++) {
            bits[i] = b[i] ? 1 : 0;
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("prompt", s.prompt());
        meta.put("points", pts);
        meta.put("mask", new NumpyArray(new NumpyDType("u1"), new int[]{m.height(), m.width()}, bits));
        return PickleWriter.dumps(meta);
    }

    /** {@code <root>/<category>/<sample>/dragged_image.png}. */
    public static Path resultPath(Path root, DragBenchSample s) {
        Path dir = s.category().isEmpty() ? root.resolve(s.name()) : root.resolve(s.category()).resolve(s.name());
        return dir.resolve(RESULT);
    }

    public static Path writeResult(Path root, DragBenchSample s, BufferedImage edited) {
        Path p = resultPath(root, s);
        try {
            Files.createDirectories(p.getParent());
            png(edited, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write result for " + s.id() + " to " + p, e);
        }
        return p;
    }

    private static Object num(double v) {
        return v == Math.rint(v) && Math.abs(v) < Integer.MAX_VALUE ? (Object) (int) v : (Object) v;
    }

    private static void png(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer for image type " + img.getType());
        }
    }
}
