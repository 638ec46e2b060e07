package io.rotationdrag.gateway.sweep;

import io.rotationdrag.eval.RotationAngleMetric;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetricDirectionTest {

    @Test
    void rotationAngleMetricsHaveTheirDirections() {
        // an edit improves when its content turned closer to the request, and when the match is better
        assertEquals(MetricDirection.LOWER_IS_BETTER, MetricDirection.of(RotationAngleMetric.ANGLE_ERROR));
        for (String m : new String[]{RotationAngleMetric.MATCH_CORRELATION, RotationAngleMetric.MATCH_CONTRAST,
                RotationAngleMetric.MATCH_PSNR, RotationAngleMetric.IS_TURN}) {
            assertEquals(MetricDirection.HIGHER_IS_BETTER, MetricDirection.of(m), m);
        }
        // the request, the raw recovered angle and the ground truth's floors are properties of the sample or the
        // metric, not a quality of the edit: never flagged as regressions
        for (String m : new String[]{RotationAngleMetric.ANGLE_REQUESTED, RotationAngleMetric.ANGLE_RECOVERED,
                RotationAngleMetric.ANGLE_ERROR_GT_FLOOR, RotationAngleMetric.MATCH_CORRELATION_GT_FLOOR}) {
            assertEquals(MetricDirection.NEUTRAL, MetricDirection.of(m), m);
        }
        // every name the metric reports is covered above
        assertEquals(9, RotationAngleMetric.NAMES.size());
    }
}
