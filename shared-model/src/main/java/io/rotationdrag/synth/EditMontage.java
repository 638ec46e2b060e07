package io.rotationdrag.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * One row per benchmark sample for looking at the edits: the source with its handle (red), target (blue) and axis
 * (green), the ground truth, then each tracker's edit, every panel scaled {@code zoom}x (nearest) under its label.
 */
public final class EditMontage {

    static final int LABEL_HEIGHT = 14;

    private EditMontage() {
    }

    /** @param labels one per edit, same order as {@code edits} */
    public static BufferedImage row(RotationSample s, List<String> labels, List<BufferedImage> edits, int zoom) {
        if (labels.size() != edits.size()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + edits.size() + " edits");
        }
        int n = 2 + edits.size();
        int w = s.size() * zoom;
        BufferedImage out = new BufferedImage(n * w, w + LABEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            panel(g, s.image(), 0, w, String.format(java.util.Locale.ROOT, "source %+.0f deg", s.angleDeg()));
            g.setStroke(new BasicStroke(2f));
            dot(g, s.handle(), zoom, Color.RED);
            dot(g, s.target(), zoom, Color.BLUE);
            dot(g, s.axis(), zoom, new Color(0, 160, 0));
            panel(g, s.groundTruth(), w, w, "truth");
            for (int i = 0; i < edits.size(); i++) {
                panel(g, edits.get(i), (2 + i) * w, w, labels.get(i));
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void panel(Graphics2D g, BufferedImage img, int x, int w, String label) {
        if (img != null) {
            g.drawImage(img, x, LABEL_HEIGHT, w, w, null);
        }
        g.setColor(Color.BLACK);
        g.drawString(img == null ? label + " (failed)" : label, x + 3, LABEL_HEIGHT - 3);
    }

    private static void dot(Graphics2D g, Point2D p, int zoom, Color c) {
        g.setColor(c);
        int r = Math.max(3, zoom);
        // pixel centres: pixel (x, y) covers [x, x+1) x [y, y+1) before zooming
        int cx = (int) Math.round((p.getX() + 0.5) * zoom);
        int cy = (int) Math.round((p.getY() + 0.5) * zoom) + LABEL_HEIGHT;
        g.drawOval(cx - r, cy - r, 2 * r, 2 * r);
    }
}
