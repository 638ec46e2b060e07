package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * A binary mask of the editable region, row-major, {@code true} = editable. Immutable.
 */
public final class BinaryMask {

    private final int width;
    private final int height;
    private final boolean[] data;

    public BinaryMask(int width, int height, boolean[] data) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
        }
        if (data.length != width * height) {
            throw new IllegalArgumentException("mask data has " + data.length + " values, expected " + width * height);
        }
        this.width = width;
        this.height = height;
        this.data = data.clone();
    }

    /** A mask of one value everywhere. */
    public static BinaryMask filled(int width, int height, boolean value) {
        boolean[] d = new boolean[width * height];
        Arrays.fill(d, value);
        return new BinaryMask(width, height, d);
    }

    /** Any non-zero R, G or B value is editable (DragBench: "treat any non-zero value as editable"). */
    public static BinaryMask fromImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        boolean[] d = new boolean[w * h];
        for (int k = 0; k < d.length; k++) {
            d[k] = (rgb[k] & 0xFFFFFF) != 0;
        }
        return new BinaryMask(w, h, d);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean get(int x, int y) {
        return x >= 0 && y >= 0 && x < width && y < height && data[y * width + x];
    }

    public int count() {
        int n = 0;
        for (boolean b : data) {
            if (b) {
                n++;
            }
        }
        return n;
    }

    public boolean isEmpty() {
        return count() == 0;
    }

    public boolean isFull() {
        return count() == data.length;
    }

    /**
     * Nearest-neighbour resize as torch's {@code F.interpolate(mode="nearest")}: output cell (i, j) takes source
     * (floor(i * W / w), floor(j * H / h)).
     */
    public BinaryMask resizeNearest(int newWidth, int newHeight) {
        if (newWidth <= 0 || newHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + newWidth + "x" + newHeight);
        }
        boolean[] d = new boolean[newWidth * newHeight];
        double sx = (double) width / newWidth;
        double sy = (double) height / newHeight;
        for (int y = 0; y < newHeight; y++) {
            int srcY = Math.min(height - 1, (int) Math.floor(y * sy));
            for (int x = 0; x < newWidth; x++) {
                int srcX = Math.min(width - 1, (int) Math.floor(x * sx));
                d[y * newWidth + x] = data[srcY * width + srcX];
            }
        }
        return new BinaryMask(newWidth, newHeight, d);
    }

    /**
     * Down-sampling that keeps every painted cell: a cell of the new grid is set when any pixel of the block it covers
     * ([floor(x w/W'), ceil((x+1) w/W')) per axis) is set (max-pooling). Unlike {@link #resizeNearest}, which reads
     * only the block's top-left pixel, a stroke thinner than a block is never lost.
     */
    public BinaryMask resizeAny(int newWidth, int newHeight) {
        if (newWidth <= 0 || newHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + newWidth + "x" + newHeight);
        }
        boolean[] d = new boolean[newWidth * newHeight];
        for (int y = 0; y < newHeight; y++) {
            int y0 = blockStart(y, height, newHeight);
            int y1 = blockEnd(y, height, newHeight, y0);
            for (int x = 0; x < newWidth; x++) {
                int x0 = blockStart(x, width, newWidth);
                int x1 = blockEnd(x, width, newWidth, x0);
                boolean any = false;
                for (int yy = y0; yy < y1 && !any; yy++) {
                    for (int xx = x0; xx < x1; xx++) {
                        if (data[yy * width + xx]) {
                            any = true;
                            break;
                        }
                    }
                }
                d[y * newWidth + x] = any;
            }
        }
        return new BinaryMask(newWidth, newHeight, d);
    }

    private static int blockStart(int i, int in, int out) {
        return Math.min(in - 1, (int) Math.floor((double) i * in / out));
    }

    private static int blockEnd(int i, int in, int out, int start) {
        return Math.min(in, Math.max(start + 1, (int) Math.ceil((double) (i + 1) * in / out)));
    }

    /** The mask as a float32 [1, 1, H, W] array of 0/1 (the shape of a latent's spatial mask). */
    public NDArray toNDArray(NDManager manager) {
        float[] f = new float[data.length];
        for (int k = 0; k < f.length; k++) {
            f[k] = data[k] ? 1f : 0f;
        }
        return OwnedArrays.of(manager, f, new Shape(1, 1, height, width));
    }

    /** 8-connected component labels, 0 = not in the mask, 1..n = component id; row-major. */
    int[] componentLabels() {
        int[] label = new int[data.length];
        int next = 0;
        int[] stack = new int[data.length];
        for (int start = 0; start < data.length; start++) {
            if (!data[start] || label[start] != 0) {
                continue;
            }
            next++;
            int top = 0;
            stack[top++] = start;
            label[start] = next;
            while (top > 0) {
                int k = stack[--top];
                int x = k % width;
                int y = k / width;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx;
                        int ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= width || ny >= height) {
                            continue;
                        }
                        int nk = ny * width + nx;
                        if (data[nk] && label[nk] == 0) {
                            label[nk] = next;
                            stack[top++] = nk;
                        }
                    }
                }
            }
        }
        return label;
    }
}
