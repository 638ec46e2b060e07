package io.rotationdrag.eval;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrackingQualityTest {
    @Test
    void errorsStepsAndTimes() {
        Map<String, Long> wall = new LinkedHashMap<>();
        wall.put("DRAG", 1500L);
        wall.put("DENOISE", 500L);
        TrackingQuality q = new TrackingQuality(
                List.of(new HandleTarget(0, 0, 10, 0), new HandleTarget(5, 5, 5, 5), new HandleTarget(0, 0, 0, 20)),
                List.of(new double[]{7, 4}, new double[]{5, 5}, new double[]{0, 19}), 33, 120, 33, wall);
        Map<String, MetricValue> m = new LinkedHashMap<>();
        q.metrics().forEach(v -> m.put(v.name(), v));
        assertEquals((5.0 + 1.0) / 2, m.get("tracking_final_error").require(), 1e-12); // axis pair excluded
        assertEquals(5.0, m.get("tracking_max_error").require());
        assertEquals(0.5, m.get("tracking_reached_fraction").require());
        assertEquals(33, m.get("drag_steps").require());
        assertEquals(120, m.get("unet_forwards").require());
        assertEquals(1.5, m.get("wall_s_drag").require());
        assertEquals(2.0, m.get("wall_s_total").require());
        assertThrows(IllegalArgumentException.class, () -> new TrackingQuality(List.of(new HandleTarget(0, 0, 1, 1)),
                List.of(), 0, 0, 0, null));
    }
}
