package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.drag.BinaryMask;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutsideMaskCompositeTest {

    static BufferedImage noise(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        return img;
    }

    /** A disc of radius 20 at (30, 34) on a 64 x 60 grid. */
    static BinaryMask disc() {
        boolean[] d = new boolean[64 * 60];
        for (int y = 0; y < 60; y++) {
            for (int x = 0; x < 64; x++) {
                d[y * 64 + x] = Math.hypot(x - 30, y - 34) <= 20;
            }
        }
        return new BinaryMask(64, 60, d);
    }

    @Test
    void keepsTheInputOutsideTheMaskAndTheModelDeepInsideBitForBit() {
        BufferedImage in = noise(64, 60, 1);
        BufferedImage model = noise(64, 60, 2);
        BinaryMask mask = disc();
        double f = 4;
        BufferedImage out = OutsideMaskComposite.compose(in, model, mask, f);
        int[] dist = Feather.distanceToOutside(toArray(mask), 64, 60);
        int outside = 0;
        int deep = 0;
        int seam = 0;
        for (int y = 0; y < 60; y++) {
            for (int x = 0; x < 64; x++) {
                int o = out.getRGB(x, y) & 0xFFFFFF;
                if (!mask.get(x, y)) {
                    assertEquals(in.getRGB(x, y) & 0xFFFFFF, o, "outside the mask at " + x + "," + y);
                    outside++;
                } else if (dist[y * 64 + x] >= f) {
                    assertEquals(model.getRGB(x, y) & 0xFFFFFF, o, "deep inside at " + x + "," + y);
                    deep++;
                } else {
                    // the seam: each channel between the two images' values, weight d / F
                    double a = dist[y * 64 + x] / f;
                    for (int s = 16; s >= 0; s -= 8) {
                        int ci = (in.getRGB(x, y) >> s) & 0xFF;
                        int cm = (model.getRGB(x, y) >> s) & 0xFF;
                        assertEquals(ci + a * (cm - ci), (o >> s) & 0xFF, 0.5 + 1e-9, "seam at " + x + "," + y);
                    }
                    seam++;
                }
            }
        }
        assertTrue(outside > 0 && deep > 0 && seam > 0, outside + " / " + deep + " / " + seam);
    }

    @Test
    void noMaskMeansEverythingIsEditable() {
        BufferedImage in = noise(16, 16, 3);
        BufferedImage model = noise(16, 16, 4);
        assertSame(model, OutsideMaskComposite.compose(in, model, null, 2));
        assertEquals(4.0, OutsideMaskComposite.featherPx(128, 64));
        assertEquals(2.0, OutsideMaskComposite.featherPx(64, 64));
    }

    @Test
    void distanceIsTheChessboardDistanceToTheOutside() {
        boolean[] r = new boolean[7 * 7];
        for (int y = 1; y < 6; y++) {
            for (int x = 1; x < 6; x++) {
                r[y * 7 + x] = true;
            }
        }
        int[] d = Feather.distanceToOutside(r, 7, 7);
        assertEquals(0, d[0]);
        assertEquals(1, d[7 + 1]);
        assertEquals(2, d[2 * 7 + 2]);
        assertEquals(3, d[3 * 7 + 3]);
        assertEquals(2, d[3 * 7 + 2]);
        boolean[] grown = Feather.dilate(r, 7, 7, 1);
        for (boolean b : grown) {
            assertTrue(b);
        }
    }

    static boolean[] toArray(BinaryMask m) {
        boolean[] a = new boolean[m.width() * m.height()];
        for (int k = 0; k < a.length; k++) {
            a[k] = m.get(k % m.width(), k / m.width());
        }
        return a;
    }
}
