package io.rotationdrag.eval;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.Arrays;

/**
 * A binary region of an image: {@code true} = inside (for an edit mask: editable).
 * Immutable; row-major, index {@code y * width + x}.
 */
public final class PixelMask {
    private final int width;
    private final int height;
    private final boolean[] bits;

    private PixelMask(int width, int height, boolean[] bits) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
        }
        if (bits.length != width * height) {
            throw new IllegalArgumentException("mask data length " + bits.length + " != " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.bits = bits;
    }

    /** Every pixel set to {@code value}. */
    public static PixelMask filled(int width, int height, boolean value) {
        boolean[] b = new boolean[width * height];
        Arrays.fill(b, value);
        return new PixelMask(width, height, b);
    }

    /** Wraps a row-major array (copied). */
    public static PixelMask of(int width, int height, boolean[] rowMajor) {
        return new PixelMask(width, height, rowMajor.clone());
    }

    /**
     * Reads a mask image the way DragBench and the reference UI do: a pixel is inside when any of its colour
     * bands is non-zero (DragBench stores 1 = editable, the reference UI 255; alpha is ignored).
     */
    public static PixelMask fromImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster r = image.getRaster();
        int bands = Math.min(r.getNumBands(), image.getColorModel().getNumColorComponents());
        boolean[] b = new boolean[w * h];
        int[] px = new int[r.getNumBands()];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, px);
                boolean on = false;
                for (int c = 0; c < bands && !on; c++) {
                    on = px[c] != 0;
                }
                b[y * w + x] = on;
            }
        }
        return new PixelMask(w, h, b);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean get(int x, int y) {
        return bits[y * width + x];
    }

    /** Number of pixels inside. */
    public int count() {
        int n = 0;
        for (boolean v : bits) {
            if (v) {
                n++;
            }
        }
        return n;
    }

    public boolean isEmpty() {
        return count() == 0;
    }

    public boolean isFull() {
        return count() == bits.length;
    }

    public PixelMask inverted() {
        boolean[] b = new boolean[bits.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = !bits[i];
        }
        return new PixelMask(width, height, b);
    }

    /** Row-major copy. */
    public boolean[] toArray() {
        return bits.clone();
    }

    /** Grey image, 255 inside and 0 outside (the reference UI's mask picture convention). */
    public BufferedImage toImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.getRaster().setSample(x, y, 0, bits[y * width + x] ? 255 : 0);
            }
        }
        return img;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PixelMask m && m.width == width && m.height == height && Arrays.equals(m.bits, bits);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "PixelMask[" + width + "x" + height + ", inside=" + count() + "]";
    }
}
