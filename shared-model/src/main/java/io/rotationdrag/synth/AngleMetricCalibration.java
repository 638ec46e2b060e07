package io.rotationdrag.synth;

import io.rotationdrag.eval.PixelMask;
import io.rotationdrag.eval.RotationAngleMetric;
import io.rotationdrag.eval.RotationAngleResult;
import io.rotationdrag.eval.TemplateSource;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the rotation-angle metric's rejection thresholds come from: on seeded rotation samples, the metric run on
 * images whose turn is known (the ground truth, the unedited source) and on smears of the ground truth (box blurs
 * of growing radius inside the mask, the mask filled with its mean colour), with both template sources. Prints per
 * case: how many were accepted as turns, how many of those are more than 5 degrees off, the median error of the
 * accepted, and the median correlation and normalised contrast. Usage:
 * {@code AngleMetricCalibration [size=64] [count=40] [seed=REPORTING_SEED]}.
 */
public final class AngleMetricCalibration {

    private AngleMetricCalibration() {
    }

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : RotationBenchmark.REPORTING_SEED;
        System.out.println(table(RotationBenchmark.generate(count, seed, size, RotationBenchmark.AxisMode.ALTERNATE),
                String.format(Locale.ROOT, "rotation-angle metric calibration: %d samples, seed %d, %d px; rule: "
                                + "correlation >= %.2f, normalised contrast >= %.2f, std >= %.1f", count, seed, size,
                        RotationAngleMetric.MIN_CORRELATION, RotationAngleMetric.MIN_CONTRAST,
                        RotationAngleMetric.MIN_EDIT_STD)));
    }

    /** The calibration table over {@code samples}. */
    static String table(List<RotationSample> samples, String title) {
        Map<String, List<RotationAngleResult>> by = new LinkedHashMap<>();
        for (RotationSample s : samples) {
            PixelMask m = RotationEditBenchmark.mask(s);
            int size = s.size();
            Map<String, BufferedImage> cases = new LinkedHashMap<>();
            cases.put("ground truth", s.groundTruth());
            cases.put("source (no edit)", s.image());
            for (int r : new int[]{1, size / 32, size / 16, size / 8}) {
                cases.putIfAbsent("box blur r=" + r, inMask(s.groundTruth(), boxBlur(s.groundTruth(), r), m));
            }
            cases.put("mask mean colour", inMask(s.groundTruth(), meanColour(s.groundTruth(), m), m));
            for (TemplateSource ts : List.of(SceneTemplates.of(s), SceneTemplates.rotatedSource(s))) {
                for (Map.Entry<String, BufferedImage> e : cases.entrySet()) {
                    by.computeIfAbsent(ts.name() + " | " + e.getKey(), k -> new ArrayList<>())
                            .add(RotationAngleMetric.measure(ts, e.getValue(), m, s.angleDeg()));
                }
            }
        }
        StringBuilder sb = new StringBuilder(title).append('\n');
        sb.append("| templates | image | accepted as turns | accepted > 5 deg off | median error of accepted | median corr | "
                + "median contrast |\n|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<RotationAngleResult>> e : by.entrySet()) {
            List<RotationAngleResult> l = e.getValue();
            List<RotationAngleResult> turns = l.stream().filter(RotationAngleResult::turn).toList();
            long off = turns.stream().filter(r -> Math.abs(r.errorDeg()) > 5).count();
            sb.append(String.format(Locale.ROOT, "| %s | %d / %d | %d | %.2f | %.3f | %.3f |%n", e.getKey(),
                    turns.size(), l.size(), off, median(turns.stream().mapToDouble(r -> Math.abs(r.errorDeg()))
                            .toArray()), median(l.stream().mapToDouble(RotationAngleResult::bestCorrelation).toArray()),
                    median(l.stream().mapToDouble(RotationAngleResult::contrast).toArray())));
        }
        return sb.toString();
    }

    /** Box blur of radius r (a (2r+1)^2 mean), edges replicated. */
    static BufferedImage boxBlur(BufferedImage img, int r) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = img.getRGB(0, 0, w, h, null, 0, w);
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                long red = 0;
                long green = 0;
                long blue = 0;
                for (int dy = -r; dy <= r; dy++) {
                    int yy = Math.max(0, Math.min(h - 1, y + dy));
                    for (int dx = -r; dx <= r; dx++) {
                        int p = px[yy * w + Math.max(0, Math.min(w - 1, x + dx))];
                        red += (p >> 16) & 255;
                        green += (p >> 8) & 255;
                        blue += p & 255;
                    }
                }
                long n = (2L * r + 1) * (2L * r + 1);
                out[y * w + x] = (int) (red / n) << 16 | (int) (green / n) << 8 | (int) (blue / n);
            }
        }
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        b.setRGB(0, 0, w, h, out, 0, w);
        return b;
    }

    /** An image of the region's mean colour. */
    static BufferedImage meanColour(BufferedImage img, PixelMask m) {
        long[] sum = new long[3];
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (m.get(x, y)) {
                    int p = img.getRGB(x, y);
                    sum[0] += (p >> 16) & 255;
                    sum[1] += (p >> 8) & 255;
                    sum[2] += p & 255;
                    n++;
                }
            }
        }
        int c = (int) (sum[0] / n) << 16 | (int) (sum[1] / n) << 8 | (int) (sum[2] / n);
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                out.setRGB(x, y, c);
            }
        }
        return out;
    }

    /** {@code inside} where the mask is set, {@code outside} elsewhere. */
    static BufferedImage inMask(BufferedImage outside, BufferedImage inside, PixelMask m) {
        BufferedImage out = new BufferedImage(outside.getWidth(), outside.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < outside.getHeight(); y++) {
            for (int x = 0; x < outside.getWidth(); x++) {
                out.setRGB(x, y, m.get(x, y) ? inside.getRGB(x, y) : outside.getRGB(x, y));
            }
        }
        return out;
    }

    private static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}
