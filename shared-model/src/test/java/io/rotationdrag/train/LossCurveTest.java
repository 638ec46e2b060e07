package io.rotationdrag.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossCurveTest {

    @Test
    void runningMeanCsvAndPlot(@TempDir Path dir) throws Exception {
        LossCurve c = new LossCurve("unet", 2);
        c.add(1, 1.0);
        c.add(2, 0.5);
        c.add(3, 0.25);
        assertEquals(0.375, c.recentMean(), 1e-12);
        c.writeCsv(dir.resolve("l.csv"));
        assertEquals(4, Files.readAllLines(dir.resolve("l.csv")).size());
        String[] last = Files.readAllLines(dir.resolve("l.csv")).get(3).split(",");
        assertEquals("3", last[0]);
        assertEquals(0.25, Double.parseDouble(last[1]), 1e-9);
        assertEquals(0.375, Double.parseDouble(last[2]), 1e-9);
        BufferedImage img = c.plot(320, 200);
        // the smoothed curve is drawn in dark blue somewhere inside the plot box
        int dark = 0;
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 320; x++) {
                if ((img.getRGB(x, y) & 0xffffff) == 0x14328c) {
                    dark++;
                }
            }
        }
        assertTrue(dark > 20, "curve pixels: " + dark);
        c.writePng(dir.resolve("l.png"));
        assertTrue(Files.size(dir.resolve("l.png")) > 500);
        // read back: same steps and losses, running mean recomputed
        LossCurve back = LossCurve.readCsv(dir.resolve("l.csv"), "unet", 2);
        assertEquals(3, back.size());
        assertEquals(1.0, back.first(), 1e-12);
        assertEquals(0.375, back.recentMean(), 1e-9);
    }
}
