package io.rotationdrag.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.rotationdrag.eval.DragBenchReader;
import io.rotationdrag.eval.DragBenchSample;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What GenerateRotationBenchmark writes, the evaluation import reads back: image, mask, ground truth. */
class RotationBenchmarkImportTest {

    @Test
    void writtenSamplesAreReadBackWithTheirGroundTruth(@TempDir Path dir) {
        List<RotationSample> samples = RotationBenchmark.generate(3, 99, 64, RotationBenchmark.AxisMode.ALWAYS);
        DragBenchWriter.write(dir, samples, 99);
        List<DragBenchSample> read = DragBenchReader.readDataset(dir);
        assertEquals(3, read.size());
        for (DragBenchSample r : read) {
            RotationSample s = samples.stream().filter(x -> x.id().equals(r.name())).findFirst().orElseThrow();
            assertNotNull(r.groundTruth(), r.name());
            assertEquals(s.prompt(), r.prompt());
            // handle -> target, then the axis as a pair with handle == target (AxisMode.ALWAYS)
            assertEquals(2, r.points().size());
            assertEquals(Math.round(s.target().getX()), Math.round(r.points().get(0).tx()));
            assertEquals(Math.round(s.axis().getY()), Math.round(r.points().get(1).hy()));
            assertEquals(r.points().get(1).hx(), r.points().get(1).tx());
            for (int y = 0; y < 64; y += 7) {
                for (int x = 0; x < 64; x += 7) {
                    assertEquals(s.groundTruth().getRGB(x, y) & 0xFFFFFF, r.groundTruth().getRGB(x, y) & 0xFFFFFF);
                    assertEquals(s.image().getRGB(x, y) & 0xFFFFFF, r.image().getRGB(x, y) & 0xFFFFFF);
                    assertEquals(s.mask()[y][x] != 0, r.mask().get(x, y));
                }
            }
        }
    }
}
