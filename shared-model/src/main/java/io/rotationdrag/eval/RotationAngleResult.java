package io.rotationdrag.eval;

import io.rotationdrag.drag.Rotation;

/**
 * What {@link RotationAngleMetric} found for one image.
 *
 * @param strategy          the template source's name ("rotate-source", "re-render")
 * @param requestedDeg      the requested turn: signed angle from handle to target about the axis, in (-180, 180]
 * @param recoveredDeg      the candidate angle whose template correlates best with the image inside the region
 *                          (NaN when no candidate had enough of the region inside the frame)
 * @param bestCorrelation   that correlation (zero-mean normalised cross-correlation, RGB pooled), in [-1, 1]
 * @param medianCorrelation the median correlation over all candidate angles (the level a turn must stand out from)
 * @param bestPsnr          PSNR (dB) of the best template against the image inside the region
 * @param turn              whether the match is accepted as a turn (see {@link RotationAngleMetric}'s rule)
 * @param rejection         why it is not a turn, or null when it is
 * @param correlations      correlation per candidate angle, index i = angle {@code FIRST_ANGLE + i}; NaN where a
 *                          template had too few valid pixels in the region
 */
public record RotationAngleResult(String strategy, double requestedDeg, double recoveredDeg, double bestCorrelation,
                                  double medianCorrelation, double bestPsnr, boolean turn, String rejection,
                                  double[] correlations) {

    public RotationAngleResult {
        if (turn != (rejection == null)) {
            throw new IllegalArgumentException("a turn has no rejection reason and a rejected match has one");
        }
    }

    /**
     * Normalised contrast (best - median) / (1 - median): the share of what a typical wrong angle leaves unexplained
     * that the best angle explains (1 = a perfect match, 0 = the best angle is no better than a typical one).
     */
    public double contrast() {
        return contrast(bestCorrelation, medianCorrelation);
    }

    static double contrast(double best, double median) {
        double room = 1 - median;
        return room <= 1e-12 ? 0.0 : (best - median) / room;
    }

    /** Signed angle error wrap(recovered - requested), in (-180, 180] (whether or not the match is a turn). */
    public double errorDeg() {
        return Double.isNaN(recoveredDeg) ? Double.NaN : Rotation.normalizeDegrees(recoveredDeg - requestedDeg);
    }

    /**
     * The error a benchmark scores: |errorDeg| for a turn; for a rejected match the content is counted as not
     * turned, |requested| (the error of leaving the image unedited), so a smear is never credited with an angle.
     */
    public double scoredErrorDeg() {
        return turn ? Math.abs(errorDeg()) : Math.abs(requestedDeg);
    }
}
