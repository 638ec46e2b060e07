package io.rotationdrag.eval;

import java.awt.image.BufferedImage;
import java.util.function.IntBinaryOperator;

/** Small deterministic images for metric tests. */
final class TestImages {
    private TestImages() {
    }

    static BufferedImage grey(int w, int h, IntBinaryOperator value) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = value.applyAsInt(x, y);
                if (v < 0 || v > 255) {
                    throw new IllegalArgumentException("grey value out of range: " + v);
                }
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return img;
    }

    static BufferedImage rgb(int w, int h, IntBinaryOperator r, IntBinaryOperator g, IntBinaryOperator b) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (r.applyAsInt(x, y) << 16) | (g.applyAsInt(x, y) << 8) | b.applyAsInt(x, y));
            }
        }
        return img;
    }

    static BufferedImage copy(BufferedImage src) {
        BufferedImage img = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        img.getGraphics().drawImage(src, 0, 0, null);
        return img;
    }

    /** Pseudo-random texture (LCG), deterministic for a seed. */
    static BufferedImage texture(int w, int h, long seed) {
        long[] s = {seed * 6364136223846793005L + 1442695040888963407L};
        return rgb(w, h, (x, y) -> next(s), (x, y) -> next(s), (x, y) -> next(s));
    }

    private static int next(long[] s) {
        s[0] = s[0] * 6364136223846793005L + 1442695040888963407L;
        return (int) ((s[0] >>> 33) & 0xff);
    }
}
