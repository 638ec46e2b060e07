package io.rotationdrag.synth;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** Tiles images into one contact sheet (nearest-neighbour upscaling, so pixels stay visible). */
public final class ImageGrid {

    private ImageGrid() {
    }

    public static BufferedImage grid(List<BufferedImage> images, int cols, int scale, int gap) {
        if (images.isEmpty() || cols <= 0 || scale <= 0) {
            throw new IllegalArgumentException("need images, cols > 0 and scale > 0");
        }
        int w = images.get(0).getWidth() * scale, h = images.get(0).getHeight() * scale;
        int rows = (images.size() + cols - 1) / cols;
        BufferedImage out = new BufferedImage(cols * (w + gap) + gap, rows * (h + gap) + gap,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            for (int i = 0; i < images.size(); i++) {
                int r = i / cols, c = i % cols;
                g.drawImage(images.get(i), gap + c * (w + gap), gap + r * (h + gap), w, h, null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
