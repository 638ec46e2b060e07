package io.rotationdrag.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.edit.EditOptions;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.TrackerKind;
import io.rotationdrag.eval.PixelMask;
import java.util.List;
import org.junit.jupiter.api.Test;

class RotationEditBenchmarkTest {

    @Test
    void requestCarriesTheDragPairTheAxisWhenGivenAndTheSweptMask() {
        List<RotationSample> samples = RotationBenchmark.generate(4, 77, 64, RotationBenchmark.AxisMode.ALTERNATE);
        for (RotationSample s : samples) {
            EditOptions o = RotationEditBenchmark.options(TrackerKind.ROTATIONDRAG, 64, 5, 0, 25);
            assertEquals(25, o.inversion().numInferenceSteps());
            assertEquals(5, o.drag().maxSteps());
            assertFalse(o.lora().enabled());
            assertEquals(64, o.workingSize());
            EditRequest r = RotationEditBenchmark.request(s, o);
            assertEquals(s.axisGiven() ? 2 : 1, r.points().size());
            assertEquals(s.target().getX(), r.points().get(0).tx(), 1e-12);
            assertFalse(r.points().get(0).isAxis());
            if (s.axisGiven()) {
                assertTrue(r.points().get(1).isAxis());
                assertEquals(s.axis().getX(), r.points().get(1).hx(), 1e-12);
            }
            PixelMask m = RotationEditBenchmark.mask(s);
            PixelMask fromImage = PixelMask.fromImage(RotationEditBenchmark.maskImage(s));
            assertEquals(m, fromImage);
            int count = 0;
            for (byte[] row : s.mask()) {
                for (byte b : row) {
                    count += b != 0 ? 1 : 0;
                }
            }
            assertEquals(count, m.count());
            assertTrue(m.get((int) Math.round(s.handle().getX()), (int) Math.round(s.handle().getY())));
        }
    }
}
