package io.rotationdrag.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Draws an edit's instructions like the reference UI's {@code user_drag.png}: the region outside the mask
 * darkened, handles red, targets blue, a white arrow from each handle to its target, rotation axes as yellow
 * rings.
 */
public final class DragArrows {
    private DragArrows() {
    }

    public static BufferedImage render(BufferedImage image, PixelMask mask, List<HandleTarget> points) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        boolean dim = mask != null && !mask.isEmpty();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                if (dim && !mask.get(x, y)) {
                    // reference: 0.3 * black + 0.7 * image outside the mask
                    int r = (int) Math.round(0.7 * ((rgb >> 16) & 0xff));
                    int g = (int) Math.round(0.7 * ((rgb >> 8) & 0xff));
                    int b = (int) Math.round(0.7 * (rgb & 0xff));
                    rgb = (r << 16) | (g << 8) | b;
                }
                out.setRGB(x, y, rgb);
            }
        }
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            float scale = Math.max(1f, Math.min(w, h) / 512f);
            int r = Math.round(8 * scale);
            for (HandleTarget p : points) {
                if (p.isRotationAxis()) {
                    g.setColor(Color.YELLOW);
                    g.setStroke(new BasicStroke(3 * scale));
                    g.drawOval((int) p.hx() - r, (int) p.hy() - r, 2 * r, 2 * r);
                    continue;
                }
                g.setColor(Color.WHITE);
                g.setStroke(new BasicStroke(3 * scale));
                g.drawLine((int) p.hx(), (int) p.hy(), (int) p.tx(), (int) p.ty());
                double a = Math.atan2(p.ty() - p.hy(), p.tx() - p.hx());
                double head = Math.min(16 * scale, 0.5 * p.length());
                Path2D tip = new Path2D.Double();
                tip.moveTo(p.tx(), p.ty());
                tip.lineTo(p.tx() - head * Math.cos(a - 0.5), p.ty() - head * Math.sin(a - 0.5));
                tip.lineTo(p.tx() - head * Math.cos(a + 0.5), p.ty() - head * Math.sin(a + 0.5));
                tip.closePath();
                g.fill(tip);
                g.setColor(Color.RED);
                g.fillOval((int) p.hx() - r / 2, (int) p.hy() - r / 2, r, r);
                g.setColor(Color.BLUE);
                g.fillOval((int) p.tx() - r / 2, (int) p.ty() - r / 2, r, r);
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
