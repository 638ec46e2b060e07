package io.rotationdrag.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Records (step, loss) and keeps a moving mean; writes a CSV and a PNG plot (Java2D, log-scale loss axis, raw
 * losses light, a running mean over {@code window} steps dark).
 */
public final class LossCurve {

    private final String name;
    private final int window;
    private final List<long[]> steps = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();

    public LossCurve(String name, int window) {
        this.name = name;
        this.window = Math.max(1, window);
    }

    public void add(long step, double loss) {
        steps.add(new long[]{step});
        losses.add(loss);
    }

    public int size() {
        return losses.size();
    }

    /** The first recorded loss (NaN when empty). */
    public double first() {
        return losses.isEmpty() ? Double.NaN : losses.get(0);
    }

    /** Mean of the last {@code window} losses (NaN when empty). */
    public double recentMean() {
        return meanOfLast(window, losses.size());
    }

    private double meanOfLast(int n, int end) {
        int from = Math.max(0, end - n);
        if (end <= from) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = from; i < end; i++) {
            s += losses.get(i);
        }
        return s / (end - from);
    }

    /** Reads a curve written by {@link #writeCsv} (the running mean is recomputed, not read). */
    public static LossCurve readCsv(Path file, String name, int window) throws IOException {
        LossCurve c = new LossCurve(name, window);
        for (String line : java.nio.file.Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("step,")) {
                continue;
            }
            String[] f = line.split(",");
            c.add(Long.parseLong(f[0]), Double.parseDouble(f[1]));
        }
        return c;
    }

    /** Re-plots a CSV: {@code LossCurve <csv> <png> <name> <window>}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: LossCurve <csv> <png> <name> <window>");
            System.exit(2);
        }
        readCsv(Path.of(args[0]), args[2], Integer.parseInt(args[3])).writePng(Path.of(args[1]));
    }

    public void writeCsv(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("step,loss,running_mean\n");
        for (int i = 0; i < losses.size(); i++) {
            sb.append(String.format(Locale.ROOT, "%d,%.6g,%.6g%n", steps.get(i)[0], losses.get(i),
                    meanOfLast(window, i + 1)));
        }
        Files.writeString(file, sb);
    }

    public void writePng(Path file) throws IOException {
        ImageIO.write(plot(640, 400), "png", file.toFile());
    }

    BufferedImage plot(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            int left = 70, right = 20, top = 30, bottom = 45;
            int pw = w - left - right, ph = h - top - bottom;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(name + " loss (log scale), " + losses.size() + " points; dark = mean of " + window, left, 18);
            g.drawRect(left, top, pw, ph);
            if (losses.isEmpty()) {
                return img;
            }
            double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
            for (double l : losses) {
                if (l > 0 && Double.isFinite(l)) {
                    lo = Math.min(lo, Math.log10(l));
                    hi = Math.max(hi, Math.log10(l));
                }
            }
            if (lo > hi) {
                return img;
            }
            if (hi - lo < 1e-6) {
                hi = lo + 1;
            }
            long s0 = steps.get(0)[0], s1 = Math.max(s0 + 1, steps.get(steps.size() - 1)[0]);
            // axes labels: decades (or the range ends) on y, first/last step on x
            for (int d = (int) Math.floor(lo); d <= (int) Math.ceil(hi); d++) {
                if (d < lo - 1e-9 || d > hi + 1e-9) {
                    continue;
                }
                int y = top + (int) Math.round(ph * (hi - d) / (hi - lo));
                g.setColor(new Color(220, 220, 220));
                g.drawLine(left, y, left + pw, y);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "1e%d", d), 5, y + 4);
            }
            g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, hi)), 5, top + 10);
            g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, lo)), 5, top + ph);
            g.drawString("step " + s0, left, h - 20);
            String end = "step " + s1;
            g.drawString(end, left + pw - g.getFontMetrics().stringWidth(end), h - 20);
            draw(g, false, lo, hi, s0, s1, left, top, pw, ph, new Color(150, 180, 230), 1f);
            draw(g, true, lo, hi, s0, s1, left, top, pw, ph, new Color(20, 50, 140), 2f);
        } finally {
            g.dispose();
        }
        return img;
    }

    private void draw(Graphics2D g, boolean smooth, double lo, double hi, long s0, long s1, int left, int top, int pw,
                      int ph, Color c, float width) {
        Path2D p = new Path2D.Double();
        boolean started = false;
        for (int i = 0; i < losses.size(); i++) {
            double l = smooth ? meanOfLast(window, i + 1) : losses.get(i);
            if (!(l > 0) || !Double.isFinite(l)) {
                continue;
            }
            double x = left + pw * (double) (steps.get(i)[0] - s0) / (s1 - s0);
            double y = top + ph * (hi - Math.log10(l)) / (hi - lo);
            if (started) {
                p.lineTo(x, y);
            } else {
                p.moveTo(x, y);
                started = true;
            }
        }
        g.setColor(c);
        g.setStroke(new BasicStroke(width));
        g.draw(p);
    }
}
