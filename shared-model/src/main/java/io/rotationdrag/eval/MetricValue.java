package io.rotationdrag.eval;

/**
 * One metric result: either a value or the reason it could not be computed. A value may be
 * {@code +Infinity} (PSNR of identical regions); it is never invented when the metric is unavailable.
 */
public record MetricValue(String name, Double value, String unavailableReason) {

    public MetricValue {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("metric name is required");
        }
        if ((value == null) == (unavailableReason == null)) {
            throw new IllegalArgumentException("metric " + name + ": exactly one of value and reason must be set");
        }
        if (value != null && value.isNaN()) {
            throw new IllegalArgumentException("metric " + name + ": NaN is not a result; give a reason instead");
        }
    }

    public static MetricValue of(String name, double value) {
        return new MetricValue(name, value, null);
    }

    public static MetricValue unavailable(String name, String reason) {
        return new MetricValue(name, null, reason);
    }

    public boolean available() {
        return value != null;
    }

    /** The value; throws with the reason when unavailable. */
    public double require() {
        if (value == null) {
            throw new IllegalStateException("metric " + name + " unavailable: " + unavailableReason);
        }
        return value;
    }
}
