package io.rotationdrag.edit;

import io.rotationdrag.drag.BinaryMask;
import java.awt.image.BufferedImage;

/**
 * Keeps what the user did not ask to change (every method): the final image is the input's own pixels outside the
 * mask, at the input's resolution, and the model's (upscaled) result inside it, blended over a seam that lies
 * <em>inside</em> the mask:
 * <pre>
 *   out = in + alpha (model - in),   alpha = min(1, d / F)   (d: chessboard distance to the nearest unmasked pixel)
 * </pre>
 * so every unmasked pixel is the input's bit for bit, and masked pixels at least F px deep are the model's bit for
 * bit. F = {@value #FEATHER_WORKING_PX} working pixels expressed in input pixels (the model's own resolution limit:
 * a sharper seam would show the working-size blur as a step). With no mask drawn everything is editable and the
 * model's image is returned as it is.
 */
public final class OutsideMaskComposite {

    /** Width of the seam in working pixels. */
    public static final double FEATHER_WORKING_PX = 2;

    private OutsideMaskComposite() {
    }

    /** The feather width in input pixels for an edit that ran at {@code workWidth} on a {@code inputWidth} image. */
    public static double featherPx(int inputWidth, int workWidth) {
        return Math.max(1.0, FEATHER_WORKING_PX * inputWidth / (double) workWidth);
    }

    /**
     * @param input the input image (RGB)
     * @param model the model's result at the input's size
     * @param mask  editable region at the input's size, or null (= everything editable)
     */
    public static BufferedImage compose(BufferedImage input, BufferedImage model, BinaryMask mask, double featherPx) {
        int w = input.getWidth();
        int h = input.getHeight();
        if (model.getWidth() != w || model.getHeight() != h) {
            throw new IllegalArgumentException("the model's image is " + model.getWidth() + "x" + model.getHeight()
                    + ", the input " + w + "x" + h);
        }
        if (mask == null || mask.isEmpty() || mask.isFull()) {
            return model;
        }
        if (mask.width() != w || mask.height() != h) {
            throw new IllegalArgumentException("mask is " + mask.width() + "x" + mask.height() + ", image " + w + "x" + h);
        }
        boolean[] region = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                region[y * w + x] = mask.get(x, y);
            }
        }
        float[] alpha = Feather.inside(region, w, h, featherPx);
        int[] in = input.getRGB(0, 0, w, h, null, 0, w);
        int[] md = model.getRGB(0, 0, w, h, null, 0, w);
        int[] out = new int[w * h];
        for (int k = 0; k < out.length; k++) {
            out[k] = blend(in[k], md[k], alpha[k]);
        }
        BufferedImage o = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        o.setRGB(0, 0, w, h, out, 0, w);
        return o;
    }

    /** a + alpha (b - a) per channel, exactly a at alpha 0 and exactly b at alpha 1. */
    static int blend(int a, int b, float alpha) {
        if (alpha <= 0f) {
            return a & 0xFFFFFF;
        }
        if (alpha >= 1f) {
            return b & 0xFFFFFF;
        }
        int r = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int ca = (a >> shift) & 0xFF;
            int cb = (b >> shift) & 0xFF;
            int c = (int) Math.round(ca + alpha * (cb - ca));
            r |= Math.max(0, Math.min(255, c)) << shift;
        }
        return r;
    }
}
