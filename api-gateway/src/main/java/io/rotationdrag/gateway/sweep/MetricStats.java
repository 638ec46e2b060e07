package io.rotationdrag.gateway.sweep;

import java.util.Arrays;

/**
 * Summary of one metric over a group of jobs. Statistics are over the finite values; {@code infinite} counts
 * +/-Infinity values (PSNR of an unchanged region) and {@code unavailable} the jobs that reported the metric as
 * unavailable, so no value is dropped silently.
 *
 * <p>mean = sum x / n; std = sqrt(sum (x - mean)^2 / (n - 1)) (sample standard deviation, null for n < 2);
 * quantiles by linear interpolation between order statistics at position q (n - 1) (numpy's default), so
 * median = q(0.5), IQR = q(0.75) - q(0.25).
 */
public record MetricStats(int n, Double mean, Double median, Double std, Double q1, Double q3, Double iqr, Double min,
                          Double max, int infinite, int unavailable) {

    public static MetricStats of(double[] finite, int infinite, int unavailable) {
        int n = finite.length;
        if (n == 0) {
            return new MetricStats(0, null, null, null, null, null, null, null, null, infinite, unavailable);
        }
        double[] s = finite.clone();
        Arrays.sort(s);
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        double mean = sum / n;
        Double std = null;
        if (n >= 2) {
            double ss = 0;
            for (double v : s) {
                ss += (v - mean) * (v - mean);
            }
            std = Math.sqrt(ss / (n - 1));
        }
        double q1 = quantile(s, 0.25);
        double q3 = quantile(s, 0.75);
        return new MetricStats(n, mean, quantile(s, 0.5), std, q1, q3, q3 - q1, s[0], s[n - 1], infinite, unavailable);
    }

    /** Linear-interpolation quantile of sorted values (numpy.quantile, method "linear"). */
    public static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
