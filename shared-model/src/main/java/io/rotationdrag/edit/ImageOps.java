package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Image helpers, written out in Java so results do not depend on the JDK's 2D pipeline: RGB conversion, bilinear
 * resize with torch's {@code F.interpolate(mode="bilinear", align_corners=False, antialias=False)} sampling, and
 * conversion to and from the model's [-1, 1] tensors.
 */
public final class ImageOps {

    private ImageOps() {
    }

    /** A TYPE_INT_RGB copy; alpha is dropped as PIL's {@code convert("RGB")} does. */
    public static BufferedImage toRgb(BufferedImage in) {
        if (in.getType() == BufferedImage.TYPE_INT_RGB) {
            return in;
        }
        int w = in.getWidth();
        int h = in.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = in.getRGB(0, 0, w, h, null, 0, w);
        for (int k = 0; k < px.length; k++) {
            px[k] &= 0xFFFFFF;
        }
        out.setRGB(0, 0, w, h, px, 0, w);
        return out;
    }

    /** Interleaved RGB floats in [0, 255], row-major, length 3 W H. */
    static float[] rgbFloats(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = img.getRGB(0, 0, w, h, null, 0, w);
        float[] f = new float[3 * w * h];
        for (int k = 0; k < px.length; k++) {
            f[3 * k] = (px[k] >> 16) & 0xFF;
            f[3 * k + 1] = (px[k] >> 8) & 0xFF;
            f[3 * k + 2] = px[k] & 0xFF;
        }
        return f;
    }

    /**
     * Bilinear resize of interleaved channels, source coordinate s = (d + 0.5) * in / out - 0.5 clamped below at 0
     * (torch, align_corners=False, no antialiasing).
     */
    static float[] resizeBilinear(float[] src, int w, int h, int c, int nw, int nh) {
        float[] dst = new float[c * nw * nh];
        double sx = (double) w / nw;
        double sy = (double) h / nh;
        for (int y = 0; y < nh; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double ly = fy - y0;
            for (int x = 0; x < nw; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                double lx = fx - x0;
                for (int ch = 0; ch < c; ch++) {
                    double v = (1 - ly) * ((1 - lx) * src[(y0 * w + x0) * c + ch] + lx * src[(y0 * w + x1) * c + ch])
                            + ly * ((1 - lx) * src[(y1 * w + x0) * c + ch] + lx * src[(y1 * w + x1) * c + ch]);
                    dst[(y * nw + x) * c + ch] = (float) v;
                }
            }
        }
        return dst;
    }

    /**
     * The image's interleaved RGB floats in [0, 255], bilinearly resized (as floats, no rounding) to
     * {@code nw x nh}; row-major, length 3 nw nh.
     */
    public static float[] resizedRgbFloats(BufferedImage img, int nw, int nh) {
        BufferedImage rgb = toRgb(img);
        float[] f = rgbFloats(rgb);
        if (rgb.getWidth() == nw && rgb.getHeight() == nh) {
            return f;
        }
        return resizeBilinear(f, rgb.getWidth(), rgb.getHeight(), 3, nw, nh);
    }

    /** Bilinear resize of an RGB image (values rounded to the nearest integer and clamped). */
    public static BufferedImage resize(BufferedImage img, int nw, int nh) {
        BufferedImage rgb = toRgb(img);
        if (rgb.getWidth() == nw && rgb.getHeight() == nh) {
            return rgb;
        }
        float[] r = resizeBilinear(rgbFloats(rgb), rgb.getWidth(), rgb.getHeight(), 3, nw, nh);
        return fromRgbFloats(r, nw, nh);
    }

    static BufferedImage fromRgbFloats(float[] f, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[w * h];
        for (int k = 0; k < px.length; k++) {
            px[k] = (clamp255(f[3 * k]) << 16) | (clamp255(f[3 * k + 1]) << 8) | clamp255(f[3 * k + 2]);
        }
        out.setRGB(0, 0, w, h, px, 0, w);
        return out;
    }

    private static int clamp255(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** The image as a float32 [1, 3, H, W] tensor in [-1, 1]: x / 127.5 - 1. */
    public static NDArray toTensor(BufferedImage img, NDManager m) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] rgb = rgbFloats(toRgb(img));
        float[] chw = new float[rgb.length];
        int hw = w * h;
        for (int k = 0; k < hw; k++) {
            for (int c = 0; c < 3; c++) {
                chw[c * hw + k] = rgb[3 * k + c] / 127.5f - 1f;
            }
        }
        return OwnedArrays.of(m, chw, new Shape(1, 3, h, w));
    }

    /**
     * A [1, 3, H, W] or [3, H, W] tensor in [-1, 1] to an image: round(clamp((x + 1) / 2, 0, 1) * 255), as the SD
     * pipelines' postprocessing does.
     */
    public static BufferedImage fromTensor(NDArray t) {
        Shape s = t.getShape();
        int h = (int) s.get(s.dimension() - 2);
        int w = (int) s.get(s.dimension() - 1);
        float[] chw = t.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        int hw = w * h;
        float[] rgb = new float[3 * hw];
        for (int k = 0; k < hw; k++) {
            for (int c = 0; c < 3; c++) {
                double v = Math.max(0, Math.min(1, (chw[c * hw + k] + 1) / 2.0));
                rgb[3 * k + c] = (float) (v * 255.0);
            }
        }
        return fromRgbFloats(rgb, w, h);
    }

    /**
     * Like {@link #fromTensor(NDArray)} but resized to {@code outWidth x outHeight} first: the clamped image in
     * [0, 255] is bilinearly resampled as floats (torch {@code F.interpolate(mode="bilinear")}, as the reference
     * resizes its decoded float image back to the input size) and only then rounded to 8 bits.
     */
    public static BufferedImage fromTensor(NDArray t, int outWidth, int outHeight) {
        Shape s = t.getShape();
        int h = (int) s.get(s.dimension() - 2);
        int w = (int) s.get(s.dimension() - 1);
        if (outWidth < 1 || outHeight < 1) {
            throw new IllegalArgumentException("output size must be positive, got " + outWidth + "x" + outHeight);
        }
        float[] chw = t.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        int hw = w * h;
        float[] rgb = new float[3 * hw];
        for (int k = 0; k < hw; k++) {
            for (int c = 0; c < 3; c++) {
                double v = Math.max(0, Math.min(1, (chw[c * hw + k] + 1) / 2.0));
                rgb[3 * k + c] = (float) (v * 255.0);
            }
        }
        if (outWidth != w || outHeight != h) {
            rgb = resizeBilinear(rgb, w, h, 3, outWidth, outHeight);
        }
        return fromRgbFloats(rgb, outWidth, outHeight);
    }

    /** SHA-256 hex of the pixels (width, height, then RGB per pixel): encoding-independent image identity. */
    public static String pixelHash(BufferedImage img) {
        BufferedImage rgb = toRgb(img);
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        int[] px = rgb.getRGB(0, 0, w, h, null, 0, w);
        ByteBuffer b = ByteBuffer.allocate(8 + 3 * px.length);
        b.putInt(w).putInt(h);
        for (int p : px) {
            b.put((byte) (p >> 16)).put((byte) (p >> 8)).put((byte) p);
        }
        return sha256(b.array());
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    public static String sha256(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }
}
