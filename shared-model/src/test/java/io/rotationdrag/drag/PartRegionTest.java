package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.synth.RotationBenchmark;
import io.rotationdrag.synth.RotationSample;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartRegionTest {

    private static final int BG = 0x2040A0;
    private static final int BODY = 0x606060;
    private static final int ARM = 0xF0F0F0;

    /** 48x48: blue background, grey body x 4..15, y 18..29, white arm x 16..39, y 22..25. */
    private static BufferedImage scene() {
        BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                int c = BG;
                if (x >= 4 && x <= 15 && y >= 18 && y <= 29) {
                    c = BODY;
                }
                if (x >= 16 && x <= 39 && y >= 22 && y <= 25) {
                    c = ARM;
                }
                img.setRGB(x, y, c);
            }
        }
        return img;
    }

    private static boolean isArm(int x, int y) {
        return x >= 16 && x <= 39 && y >= 22 && y <= 25;
    }

    /** A disc around the arm's pivot (16, 24), radius 26, minus the body: larger than the part. */
    private static BinaryMask sweptMask() {
        boolean[] d = new boolean[48 * 48];
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                d[y * 48 + x] = Math.hypot(x - 16, y - 24) <= 26 && x >= 16;
            }
        }
        return new BinaryMask(48, 48, d);
    }

    @Test
    void cutsThePartOutOfALargerMaskByColour() {
        PartRegion.Region r = PartRegion.of(scene(), sweptMask(), new Vec2(38, 23));
        assertEquals(PartRegion.Rule.COLOUR, r.rule());
        assertEquals(ARM, r.partRgb());
        assertEquals(BG, r.surroundingsRgb());
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                boolean inMask = sweptMask().get(x, y);
                if (isArm(x, y)) {
                    assertTrue(r.get(x, y), "arm pixel " + x + "," + y);
                }
                // outside the arm grown by one pixel, and never outside the mask
                boolean nearArm = isArm(x, y) || isArm(x - 1, y) || isArm(x + 1, y) || isArm(x, y - 1)
                        || isArm(x, y + 1) || isArm(x - 1, y - 1) || isArm(x + 1, y + 1) || isArm(x - 1, y + 1)
                        || isArm(x + 1, y - 1);
                if (r.get(x, y)) {
                    assertTrue(nearArm && inMask, "pixel " + x + "," + y + " is not the arm");
                }
            }
        }
    }

    @Test
    void withoutAMaskTheWholeImageIsTheComponentAndColourStillCutsThePart() {
        PartRegion.Region r = PartRegion.of(scene(), null, new Vec2(30, 24));
        assertEquals(PartRegion.Rule.COLOUR, r.rule());
        assertTrue(r.get(20, 23) && r.get(39, 25));
        assertFalse(r.get(8, 20), "the grey body is nearer the blue than the white arm, so it stays");
        assertFalse(r.get(45, 5));
    }

    @Test
    void aThirdColourTouchingThePartInsideTheMaskStaysOut() {
        // yellow background, a brown body (nearer in colour to the black arm than to the yellow) under the mask
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                int c = 0xF0DC28;
                if (Math.hypot(x - 12, y - 20) <= 8) {
                    c = 0x825032;
                }
                if (x >= 20 && x <= 34 && y >= 18 && y <= 21) {
                    c = 0x141414;
                }
                img.setRGB(x, y, c);
            }
        }
        PartRegion.Region r = PartRegion.of(img, null, new Vec2(33, 20));
        assertEquals(PartRegion.Rule.COLOUR, r.rule());
        assertTrue(r.get(25, 19) && r.get(34, 21));
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 18; x++) {
                assertFalse(r.get(x, y), "body pixel " + x + "," + y + " taken with the arm");
            }
        }
    }

    @Test
    void aPartThatLooksLikeItsSurroundingsTakesTheWholeComponent() {
        BufferedImage flat = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                flat.setRGB(x, y, x > 10 && x < 20 && y > 10 && y < 20 ? 0x808088 : 0x808080);
            }
        }
        boolean[] m = new boolean[32 * 32];
        for (int y = 5; y < 25; y++) {
            for (int x = 5; x < 25; x++) {
                m[y * 32 + x] = true;
            }
        }
        m[0] = true; // a second component the handle is not in
        PartRegion.Region r = PartRegion.of(flat, new BinaryMask(32, 32, m), new Vec2(15, 15));
        assertEquals(PartRegion.Rule.COMPONENT, r.rule());
        assertEquals(400, r.count());
        assertFalse(r.get(0, 0));
    }

    @Test
    void onBenchmarkScenesTheRegionIsMostlyPixelsThatTheTurnChanges() {
        // independent fact: the truth differs from the source exactly where the part was or went; the part's own
        // pixels (the region) must therefore mostly be changed pixels
        List<RotationSample> samples = RotationBenchmark.generate(8, RotationBenchmark.REPORTING_SEED, 64,
                RotationBenchmark.AxisMode.ALTERNATE);
        double precisionSum = 0;
        for (RotationSample s : samples) {
            BinaryMask mask = maskOf(s);
            PartRegion.Region r = PartRegion.of(s.image(), mask, new Vec2(s.handle().getX(), s.handle().getY()));
            int in = 0;
            int changed = 0;
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    if (r.get(x, y)) {
                        in++;
                        if (PartRegion.dist(s.image().getRGB(x, y), s.groundTruth().getRGB(x, y)) > 20) {
                            changed++;
                        }
                    }
                }
            }
            assertTrue(in > 0, s.id());
            precisionSum += (double) changed / in;
        }
        double precision = precisionSum / samples.size();
        assertTrue(precision > 0.6, "mean share of region pixels that the turn changes: " + precision);
    }

    static BinaryMask maskOf(RotationSample s) {
        boolean[] d = new boolean[s.size() * s.size()];
        for (int y = 0; y < s.size(); y++) {
            for (int x = 0; x < s.size(); x++) {
                d[y * s.size() + x] = s.mask()[y][x] != 0;
            }
        }
        return new BinaryMask(s.size(), s.size(), d);
    }
}
