package io.rotationdrag.edit;

import io.rotationdrag.diffusion.ModelGeometry;
import io.rotationdrag.drag.BinaryMask;
import io.rotationdrag.drag.Vec2;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks an {@link EditRequest} and maps it to the working resolution. Every rejection is an
 * {@link EditValidationException} whose message names the offending value.
 *
 * <p>Rules: the image must exist and have both sides >= {@link EditOptions#minImageSide()} (any colour model is
 * converted to RGB, alpha dropped); the mask, if given, must have the image's size (any non-zero RGB pixel is
 * editable; an all-zero mask counts as "no mask drawn" = everything editable); there must be 1 to
 * {@link EditOptions#maxPointPairs()} pairs, at least one of them a drag (handle != target); every coordinate must be
 * finite and inside the image, 0 <= x <= W-1, 0 <= y <= H-1. Pairs with handle == target are rotation axes; each drag
 * handle takes the nearest axis (see {@code RotationAxis}). The prompt may be empty.
 */
public final class EditValidator {

    private EditValidator() {
    }

    /**
     * Validates and prepares a request.
     *
     * @param geometry the model's sizes: the working width and height are rounded to a multiple of
     *                 {@link ModelGeometry#sizeMultiple()}, and {@code workingSize} 0 means
     *                 {@link ModelGeometry#nativeImageSize()}; the prepared options carry the resolved size
     */
    public static PreparedEdit prepare(EditRequest r, ModelGeometry geometry) {
        if (r == null) {
            throw new EditValidationException("no edit request");
        }
        EditOptions o = r.options().withWorkingSize(geometry.resolveWorkingSize(r.options().workingSize()));
        int multiple = geometry.sizeMultiple();
        BufferedImage image = r.image();
        if (image == null) {
            throw new EditValidationException("no image given (or the upload is not a readable image)");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        if (w < o.minImageSide() || h < o.minImageSide()) {
            throw new EditValidationException("image is " + w + "x" + h + " pixels; both sides must be at least "
                    + o.minImageSide());
        }
        BufferedImage rgb = ImageOps.toRgb(image);

        BinaryMask mask = null;
        if (r.mask() != null) {
            if (r.mask().getWidth() != w || r.mask().getHeight() != h) {
                throw new EditValidationException("mask is " + r.mask().getWidth() + "x" + r.mask().getHeight()
                        + " but the image is " + w + "x" + h + "; they must have the same size");
            }
            BinaryMask m = BinaryMask.fromImage(r.mask());
            mask = m.isEmpty() ? null : m;
        }

        List<PointPair> pairs = r.points();
        if (pairs.isEmpty()) {
            throw new EditValidationException("no point pairs given: need at least one handle -> target drag");
        }
        if (pairs.size() > o.maxPointPairs()) {
            throw new EditValidationException(pairs.size() + " point pairs given; at most " + o.maxPointPairs()
                    + " are allowed");
        }
        for (int i = 0; i < pairs.size(); i++) {
            PointPair p = pairs.get(i);
            if (p == null) {
                throw new EditValidationException("point pair " + i + " is missing");
            }
            checkInside("handle", i, p.hx(), p.hy(), w, h);
            checkInside("target", i, p.tx(), p.ty(), w, h);
        }
        if (pairs.stream().allMatch(PointPair::isAxis)) {
            throw new EditValidationException("every point pair has handle == target (rotation axes only): "
                    + "need at least one handle -> target drag");
        }

        int ww = roundTo(o.workingSize(), multiple);
        int wh = roundTo((double) o.workingSize() * h / w, multiple);
        BufferedImage work = ImageOps.resize(rgb, ww, wh);
        BinaryMask workMask = mask == null ? null : mask.resizeNearest(ww, wh);
        if (workMask != null && workMask.isEmpty()) {
            throw new EditValidationException("the mask's editable region (" + mask.count()
                    + " pixels) vanishes at the working size " + ww + "x" + wh + "; draw a larger region");
        }
        List<Vec2> handles = new ArrayList<>();
        List<Vec2> targets = new ArrayList<>();
        List<Vec2> axes = new ArrayList<>();
        for (PointPair p : pairs) {
            Vec2 hw = toWork(p.hx(), p.hy(), w, h, ww, wh);
            if (p.isAxis()) {
                axes.add(hw);
            } else {
                handles.add(hw);
                targets.add(toWork(p.tx(), p.ty(), w, h, ww, wh));
            }
        }
        return new PreparedEdit(rgb, work, workMask, List.copyOf(handles), List.copyOf(targets), List.copyOf(axes),
                r.prompt(), o);
    }

    private static Vec2 toWork(double x, double y, int w, int h, int ww, int wh) {
        // pixel centres aligned; the result stays inside [-0.5, W'-0.5), clamp to the pixel grid
        double xw = (x + 0.5) * ww / w - 0.5;
        double yw = (y + 0.5) * wh / h - 0.5;
        return new Vec2(Math.max(0, Math.min(ww - 1, xw)), Math.max(0, Math.min(wh - 1, yw)));
    }

    private static void checkInside(String what, int i, double x, double y, int w, int h) {
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            throw new EditValidationException(what + " of point pair " + i + " is not a finite number: (" + x + ", "
                    + y + ")");
        }
        if (x < 0 || y < 0 || x > w - 1 || y > h - 1) {
            throw new EditValidationException(what + " of point pair " + i + " at (" + x + ", " + y
                    + ") lies outside the " + w + "x" + h + " image (x in [0, " + (w - 1) + "], y in [0, " + (h - 1)
                    + "])");
        }
    }

    static int roundTo(double v, int multiple) {
        return (int) Math.max(multiple, Math.round(v / multiple) * multiple);
    }
}
