package io.rotationdrag.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads DragBench-format folders.
 *
 * <p>A sample folder holds {@code original_image.png} and either {@code meta_data.pkl} (DragBench: a pickled
 * dict with {@code prompt}, {@code points} = [x, y] pairs alternating handle, target, and {@code mask} = HxW
 * numpy array, any non-zero value editable) or the reference UI's {@code config.json} ({@code prompt},
 * {@code point}, {@code pix_step}) with an optional {@code mask.png}. Optional: {@code ground_truth.png}
 * (synthetic sets). A dataset root is a sample folder, a folder of samples, or a folder of category folders of
 * samples (DragBench's layout); folders are read in name order.
 */
public final class DragBenchReader {
    public static final String IMAGE = "original_image.png";
    public static final String META = "meta_data.pkl";
    public static final String CONFIG = "config.json";
    public static final String CONFIG_MASK = "mask.png";
    public static final String GROUND_TRUTH = "ground_truth.png";
    public static final String USER_DRAG = "user_drag.png";
    /** Synthetic benchmark extras (optional): {@code angle_deg} is read. */
    public static final String SAMPLE_JSON = "sample.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private DragBenchReader() {
    }

    /** True when {@code dir} looks like a sample folder (has {@code original_image.png}). */
    public static boolean isSampleFolder(Path dir) {
        return Files.isRegularFile(dir.resolve(IMAGE));
    }

    /** Reads every sample under a dataset root. */
    public static List<DragBenchSample> readDataset(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DatasetFormatException("dataset folder not found: " + root);
        }
        if (isSampleFolder(root)) {
            return List.of(readSample(root, ""));
        }
        List<DragBenchSample> out = new ArrayList<>();
        for (Path child : subfolders(root)) {
            if (isSampleFolder(child)) {
                out.add(readSample(child, ""));
            } else {
                for (Path sample : subfolders(child)) {
                    if (isSampleFolder(sample)) {
                        out.add(readSample(sample, child.getFileName().toString()));
                    }
                }
            }
        }
        if (out.isEmpty()) {
            throw new DatasetFormatException("no DragBench sample (a folder with " + IMAGE + ") under " + root
                    + " or its category folders");
        }
        return out;
    }

    /** Reads one sample folder. */
    public static DragBenchSample readSample(Path dir, String category) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetFormatException("sample folder not found: " + dir);
        }
        String name = dir.getFileName().toString();
        BufferedImage image = readImage(dir.resolve(IMAGE), true);
        BufferedImage gt = readImage(dir.resolve(GROUND_TRUTH), false);
        Path meta = dir.resolve(META);
        Path config = dir.resolve(CONFIG);
        if (Files.isRegularFile(meta)) {
            return fromPickle(meta, category, name, image, gt);
        }
        if (Files.isRegularFile(config)) {
            return fromConfig(config, category, name, image, gt);
        }
        throw new DatasetFormatException("sample " + dir + " has neither " + META + " nor " + CONFIG);
    }

    private static DragBenchSample fromPickle(Path file, String category, String name, BufferedImage image,
                                              BufferedImage gt) {
        Object root;
        try {
            root = NumpyPickle.load(Files.readAllBytes(file));
        } catch (IOException | RuntimeException e) {
            throw new DatasetFormatException(file + ": not a readable pickle (" + e.getMessage() + ")", e);
        }
        if (!(root instanceof Map<?, ?> meta)) {
            throw new DatasetFormatException(file + ": expected a dict, found " + typeName(root));
        }
        for (String key : new String[]{"prompt", "points", "mask"}) {
            if (!meta.containsKey(key)) {
                throw new DatasetFormatException(file + ": the dict has no '" + key + "' entry (keys: "
                        + meta.keySet() + ")");
            }
        }
        Object prompt = meta.get("prompt");
        if (prompt != null && !(prompt instanceof String)) {
            throw new DatasetFormatException(file + ": 'prompt' must be a str, found " + typeName(prompt));
        }
        List<double[]> pts = points(file, meta.get("points"));
        PixelMask mask = mask(file, meta.get("mask"), image);
        return build(file, category, name, image, mask, pts, (String) prompt, gt, null);
    }

    private static DragBenchSample fromConfig(Path file, String category, String name, BufferedImage image,
                                              BufferedImage gt) {
        JsonNode cfg;
        try {
            cfg = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new DatasetFormatException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        if (cfg == null || !cfg.isObject()) {
            throw new DatasetFormatException(file + ": expected a JSON object");
        }
        JsonNode point = cfg.get("point");
        if (point == null || !point.isArray()) {
            throw new DatasetFormatException(file + ": 'point' must be a list of [x, y]");
        }
        List<double[]> pts = new ArrayList<>();
        for (JsonNode p : point) {
            if (!p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
                throw new DatasetFormatException(file + ": every point must be [x, y] numbers, found " + p);
            }
            pts.add(new double[]{p.get(0).asDouble(), p.get(1).asDouble()});
        }
        JsonNode prompt = cfg.get("prompt");
        if (prompt != null && !prompt.isNull() && !prompt.isTextual()) {
            throw new DatasetFormatException(file + ": 'prompt' must be a string");
        }
        Integer steps = null;
        JsonNode step = cfg.get("pix_step");
        if (step != null && !step.isNull()) {
            if (!step.canConvertToInt() || step.asInt() <= 0) {
                throw new DatasetFormatException(file + ": 'pix_step' must be a positive integer, found " + step);
            }
            steps = step.asInt();
        }
        BufferedImage maskImage = readImage(file.resolveSibling(CONFIG_MASK), false);
        PixelMask mask = maskImage == null ? null : PixelMask.fromImage(maskImage);
        if (mask != null && (mask.width() != image.getWidth() || mask.height() != image.getHeight())) {
            throw new DatasetFormatException(file.resolveSibling(CONFIG_MASK) + ": mask is " + mask.width() + "x"
                    + mask.height() + " but the image is " + image.getWidth() + "x" + image.getHeight());
        }
        return build(file, category, name, image, mask, pts,
                prompt == null || prompt.isNull() ? "" : prompt.asText(), gt, steps);
    }

    private static DragBenchSample build(Path file, String category, String name, BufferedImage image,
                                         PixelMask mask, List<double[]> pts, String prompt, BufferedImage gt,
                                         Integer steps) {
        if (pts.isEmpty()) {
            throw new DatasetFormatException(file + ": no points");
        }
        if (pts.size() % 2 != 0) {
            throw new DatasetFormatException(file + ": " + pts.size()
                    + " points, but they must alternate handle, target (an even count)");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        for (double[] p : pts) {
            if (!(p[0] >= 0 && p[0] < w && p[1] >= 0 && p[1] < h)) {
                throw new DatasetFormatException(file + ": point (" + p[0] + ", " + p[1] + ") lies outside the "
                        + w + "x" + h + " image");
            }
        }
        List<HandleTarget> pairs = new ArrayList<>();
        for (int i = 0; i < pts.size(); i += 2) {
            pairs.add(new HandleTarget(pts.get(i)[0], pts.get(i)[1], pts.get(i + 1)[0], pts.get(i + 1)[1]));
        }
        Double angle = angle(file.resolveSibling(SAMPLE_JSON));
        try {
            return new DragBenchSample(category, name, image, mask, pairs, prompt, gt, steps, angle);
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(file + ": " + e.getMessage(), e);
        }
    }

    private static Double angle(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            JsonNode a = n == null ? null : n.get("angle_deg");
            if (a == null || a.isNull()) {
                return null;
            }
            if (!a.isNumber()) {
                throw new DatasetFormatException(file + ": 'angle_deg' must be a number, found " + a);
            }
            return a.asDouble();
        } catch (IOException e) {
            throw new DatasetFormatException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    /** points: a list of [x, y] (lists, tuples, numpy arrays) or one numpy array of shape (N, 2). */
    private static List<double[]> points(Path file, Object value) {
        List<double[]> out = new ArrayList<>();
        if (value instanceof NumpyArray a) {
            int[] s = a.shape();
            if (s.length != 2 || s[1] != 2) {
                throw new DatasetFormatException(file + ": 'points' array must have shape (N, 2), found "
                        + a.shapeList());
            }
            for (int i = 0; i < s[0]; i++) {
                out.add(new double[]{a.get(2 * i), a.get(2 * i + 1)});
            }
            return out;
        }
        List<?> list;
        if (value instanceof List<?> l) {
            list = l;
        } else if (value instanceof Object[] t) {
            list = List.of(t);
        } else {
            throw new DatasetFormatException(file + ": 'points' must be a list of [x, y], found " + typeName(value));
        }
        for (Object p : list) {
            out.add(xy(file, p));
        }
        return out;
    }

    private static double[] xy(Path file, Object p) {
        List<?> items;
        if (p instanceof NumpyArray a) {
            if (a.size() != 2) {
                throw new DatasetFormatException(file + ": a point array must hold 2 values, found shape "
                        + a.shapeList());
            }
            return new double[]{a.get(0), a.get(1)};
        } else if (p instanceof List<?> l) {
            items = l;
        } else if (p instanceof Object[] t) {
            items = List.of(t);
        } else {
            throw new DatasetFormatException(file + ": a point must be [x, y], found " + typeName(p));
        }
        if (items.size() != 2) {
            throw new DatasetFormatException(file + ": a point must be [x, y], found " + items.size() + " values");
        }
        return new double[]{number(file, items.get(0)), number(file, items.get(1))};
    }

    private static double number(Path file, Object o) {
        if (o instanceof Number n && !(o instanceof BigInteger)) {
            return n.doubleValue();
        }
        if (o instanceof BigInteger b) {
            return b.doubleValue();
        }
        if (o instanceof NumpyArray a && a.size() == 1) {
            return a.get(0);
        }
        throw new DatasetFormatException(file + ": point coordinate is not a number: " + typeName(o));
    }

    private static PixelMask mask(Path file, Object value, BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (value == null) {
            return null; // not drawn
        }
        if (!(value instanceof NumpyArray a)) {
            throw new DatasetFormatException(file + ": 'mask' must be a numpy array, found " + typeName(value));
        }
        int[] s = a.shape();
        if (s.length < 2 || s.length > 3 || s[0] != h || s[1] != w) {
            throw new DatasetFormatException(file + ": 'mask' has shape " + a.shapeList() + " but the image is "
                    + h + "x" + w + " (H x W)");
        }
        int c = s.length == 3 ? s[2] : 1;
        boolean[] bits = new boolean[w * h];
        for (int i = 0; i < w * h; i++) {
            for (int k = 0; k < c && !bits[i]; k++) {
                bits[i] = a.get(i * c + k) != 0;
            }
        }
        return PixelMask.of(w, h, bits);
    }

    private static BufferedImage readImage(Path file, boolean required) {
        if (!Files.isRegularFile(file)) {
            if (required) {
                throw new DatasetFormatException("missing " + file.getFileName() + " in " + file.getParent());
            }
            return null;
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new DatasetFormatException(file + ": unreadable image (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new DatasetFormatException(file + ": not a PNG/JPEG image");
        }
        return toRgb(img);
    }

    /** Copies into TYPE_INT_RGB (alpha dropped), the form the metrics and the editor use. */
    public static BufferedImage toRgb(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB) {
            return img;
        }
        BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, img.getWidth(), img.getHeight(), img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0,
                img.getWidth()), 0, img.getWidth());
        return rgb;
    }

    private static List<Path> subfolders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new DatasetFormatException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String typeName(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }
}
