package io.rotationdrag.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rotationdrag.eval.DragBenchSample;
import io.rotationdrag.eval.HandleTarget;
import io.rotationdrag.eval.PixelMask;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Writes samples in the DragBench layout, {@code <root>/<category>/<sample>/}: {@code original_image.png},
 * {@code meta_data.pkl} (prompt, points, mask), {@code user_drag.png}, plus {@code ground_truth.png} and
 * {@code sample.json} (angle, axis, part, exact sub-pixel points). Category = the part type.
 */
public final class DragBenchWriter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DragBenchWriter() {
    }

    /** Writes every sample; returns the sample folders. */
    public static List<Path> write(Path root, List<RotationSample> samples, long seed) {
        List<Path> dirs = new ArrayList<>();
        for (RotationSample s : samples) {
            dirs.add(write(root, s, seed));
        }
        return dirs;
    }

    public static Path write(Path root, RotationSample s, long seed) {
        Path dir = root.resolve(s.scene().part().name().toLowerCase(Locale.ROOT)).resolve(s.id());
        try {
            Files.createDirectories(dir);
            ImageIO.write(s.image(), "png", dir.resolve("original_image.png").toFile());
            ImageIO.write(s.groundTruth(), "png", dir.resolve("ground_truth.png").toFile());
            ImageIO.write(userDrag(s), "png", dir.resolve("user_drag.png").toFile());
            Files.write(dir.resolve("meta_data.pkl"), io.rotationdrag.eval.DragBenchWriter.metaPickle(asDragBench(s)));
            Files.writeString(dir.resolve("sample.json"), JSON.writeValueAsString(json(s, seed)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write sample " + s.id() + " to " + dir, e);
        }
        return dir;
    }

    /**
     * The sample as the evaluation side's {@link DragBenchSample} (integer pixel points, the axis as a pair with
     * handle == target, mask 1 = editable), so one writer ({@link io.rotationdrag.eval.DragBenchWriter#metaPickle})
     * makes every meta_data.pkl.
     */
    static DragBenchSample asDragBench(RotationSample s) {
        List<int[]> p = points(s);
        List<HandleTarget> pairs = new ArrayList<>();
        for (int i = 0; i < p.size(); i += 2) {
            pairs.add(new HandleTarget(p.get(i)[0], p.get(i)[1], p.get(i + 1)[0], p.get(i + 1)[1]));
        }
        boolean[] m = new boolean[s.size() * s.size()];
        for (int y = 0; y < s.size(); y++) {
            for (int x = 0; x < s.size(); x++) {
                m[y * s.size() + x] = s.mask()[y][x] != 0;
            }
        }
        return new DragBenchSample(s.scene().part().name().toLowerCase(Locale.ROOT), s.id(), s.image(),
                PixelMask.of(s.size(), s.size(), m), pairs, s.prompt(), s.groundTruth(), null, s.angleDeg());
    }

    /** DragBench points: integer pixels, handle then target, then the axis twice when it is given. */
    public static List<int[]> points(RotationSample s) {
        List<int[]> p = new ArrayList<>();
        p.add(round(s.handle()));
        p.add(round(s.target()));
        if (s.axisGiven()) {
            p.add(round(s.axis()));
            p.add(round(s.axis()));
        }
        return p;
    }

    private static int[] round(Point2D p) {
        return new int[]{(int) Math.round(p.getX()), (int) Math.round(p.getY())};
    }

    private static Map<String, Object> json(RotationSample s, long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("seed", seed);
        m.put("size", s.size());
        m.put("prompt", s.prompt());
        m.put("part", s.scene().part().name().toLowerCase(Locale.ROOT));
        m.put("angle_deg", s.angleDeg());
        m.put("angle_convention", "positive = counter-clockwise on screen (image x right, y down)");
        m.put("axis", xy(s.axis()));
        m.put("axis_given", s.axisGiven());
        m.put("handle", xy(s.handle()));
        m.put("target", xy(s.target()));
        m.put("scene", s.scene());
        return m;
    }

    private static double[] xy(Point2D p) {
        return new double[]{p.getX(), p.getY()};
    }

    /** Visualisation: the image, the mask tinted, handle (red) -> target (blue), axis (green). */
    static BufferedImage userDrag(RotationSample s) {
        BufferedImage img = new BufferedImage(s.size(), s.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.drawImage(s.image(), 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(255, 255, 255, 70));
            for (int y = 0; y < s.size(); y++) {
                for (int x = 0; x < s.size(); x++) {
                    if (s.mask()[y][x] != 0) {
                        g.fillRect(x, y, 1, 1);
                    }
                }
            }
            double r = Math.max(1.5, s.size() / 40.0);
            g.setStroke(new BasicStroke((float) Math.max(1, s.size() / 64.0)));
            g.setColor(Color.WHITE);
            g.draw(new Line2D.Double(s.handle(), s.target()));
            dot(g, s.handle(), r, Color.RED);
            dot(g, s.target(), r, Color.BLUE);
            dot(g, s.axis(), r, s.axisGiven() ? Color.GREEN : Color.DARK_GRAY);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void dot(Graphics2D g, Point2D p, double r, Color c) {
        g.setColor(c);
        g.fill(new Ellipse2D.Double(p.getX() - r, p.getY() - r, 2 * r, 2 * r));
    }
}
