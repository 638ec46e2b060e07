package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.drag.BinaryMask;
import io.rotationdrag.lora.LoraOptions;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The region methods end to end on the tiny random model: costs, motion, and what must stay the input's. */
class RegionRotateTest {

    @TempDir
    static Path dir;
    static StableDiffusion sd;
    static DragEditor editor;

    @BeforeAll
    static void load() throws Exception {
        sd = TinyEditFixture.model(dir);
        editor = new DragEditor(sd);
    }

    @AfterAll
    static void close() {
        editor.close();
        sd.close();
    }

    /** A disc of radius 28 about the bar's pivot (32, 32), right half of the image only. */
    static BufferedImage sweepMask() {
        BufferedImage m = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = m.createGraphics();
        g.setColor(Color.WHITE);
        g.fillOval(4, 4, 56, 56);
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, 30, 64);
        g.dispose();
        return m;
    }

    static EditRequest request(TrackerKind k, BufferedImage input) {
        EditOptions o = EditOptions.defaults().withTracker(k).withWorkingSize(32).withMinImageSide(32)
                .withLora(LoraOptions.disabled()).withInversion(new InversionOptions(10, 0.3));
        // the red bar (x 32..57, y 28..35) turned +60 degrees about (32, 32): tip (54, 32) -> (43, 12.95)
        return new EditRequest(input, sweepMask(), List.of(PointPair.of(54, 32, 32 + 22 * Math.cos(Math.PI / 3),
                32 - 22 * Math.sin(Math.PI / 3)), PointPair.axis(32, 32)), "a red bar", o);
    }

    @Test
    void regionMethodsTurnThePartWithoutDragStepsAndKeepEverythingOutsideTheMask() throws Exception {
        BufferedImage input = TinyEditFixture.scene();
        BinaryMask mask = BinaryMask.fromImage(sweepMask());
        for (TrackerKind k : List.of(TrackerKind.ROTATE_PIXELS, TrackerKind.ROTATE_LATENT)) {
            EditRequest r = request(k, input);
            List<ProgressEvent> events = new ArrayList<>();
            EditResult res = editor.edit(r, events::add, Cancellation.NONE);
            // costs: no UNet evaluation in the drag stage, no backward anywhere, n_actual forwards to denoise
            assertEquals(0L, res.stageForwards().get(ProgressEvent.DRAG), k.id());
            assertEquals(0L, res.stageBackwards().get(ProgressEvent.DRAG), k.id());
            assertEquals(3L, res.stageForwards().get(ProgressEvent.DENOISE), k.id());
            assertEquals(k.id(), res.outcome().tracker());
            assertEquals("REACHED", res.outcome().stopReason());
            // the handle lands on its target, turned by +60 degrees about the axis
            double[] fin = res.outcome().finalHandles().get(0);
            assertEquals(32 + 22 * Math.cos(Math.PI / 3), fin[0], 1e-9);
            assertEquals(32 - 22 * Math.sin(Math.PI / 3), fin[1], 1e-9);
            assertEquals(60, res.outcome().angles().get(1)[0], 1e-9);
            assertTrue(events.stream().anyMatch(e -> e.stage().equals(ProgressEvent.DRAG)));
            // outside the mask: the input's pixels, bit for bit, at the input's 64 px (the model ran at 32)
            BufferedImage out = res.image();
            assertEquals(64, out.getWidth());
            int outside = 0;
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    if (!mask.get(x, y)) {
                        assertEquals(input.getRGB(x, y) & 0xFFFFFF, out.getRGB(x, y) & 0xFFFFFF,
                                k.id() + " outside the mask at " + x + "," + y);
                        outside++;
                    }
                }
            }
            assertTrue(outside > 1000);
            // deterministic: the same request gives the same image
            assertArrayEquals(DragEditorTest.png(out), DragEditorTest.png(editor.edit(r, null, null).image()), k.id());
        }
    }

    @Test
    void aDragTrackerKeepsTheInputOutsideTheMaskToo() {
        BufferedImage input = TinyEditFixture.scene();
        BinaryMask mask = BinaryMask.fromImage(sweepMask());
        EditRequest r = request(TrackerKind.DRAGDIFFUSION, input);
        r = r.withOptions(r.options().withDrag(DragOptions.defaults().withMaxSteps(1)));
        BufferedImage out = editor.edit(r, null, null).image();
        int differs = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                if (!mask.get(x, y)) {
                    assertEquals(input.getRGB(x, y) & 0xFFFFFF, out.getRGB(x, y) & 0xFFFFFF, "outside at " + x + "," + y);
                } else if ((input.getRGB(x, y) & 0xFFFFFF) != (out.getRGB(x, y) & 0xFFFFFF)) {
                    differs++;
                }
            }
        }
        assertTrue(differs > 100, "the model's pixels are used inside the mask: " + differs + " differ");
    }

    @Test
    void rotatePixelsKeepsTheWarpedInputOnKnownPixelsAtTheInputResolution() throws Exception {
        BufferedImage input = TinyEditFixture.scene();
        EditRequest r = request(TrackerKind.ROTATE_PIXELS, input);
        BufferedImage out = editor.edit(r, null, null).image();
        PreparedEdit e = editor.prepare(r);
        RegionWarp.Warped w = RegionWarp.warp(e.input(), RegionRotateStage.inputMask(r), RegionRotateStage.motion(e, r),
                RegionRotateStage.seamPx(e));
        BufferedImage warped = w.image();
        BinaryMask mask = BinaryMask.fromImage(sweepMask());
        double f = OutsideMaskComposite.featherPx(64, 32);
        boolean[] reach = Feather.dilate(w.unknown(), 64, 64, (int) Math.ceil(f));
        int[] depth = Feather.distanceToOutside(OutsideMaskCompositeTest.toArray(mask), 64, 64);
        int known = 0;
        int red = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int k = y * 64 + x;
                if (!reach[k] && depth[k] >= f) {
                    assertEquals(warped.getRGB(x, y) & 0xFFFFFF, out.getRGB(x, y) & 0xFFFFFF, "known at " + x + "," + y);
                    known++;
                }
            }
        }
        // the turned bar is there: red pixels along the turned direction, 10..18 px from the pivot
        for (int d = 10; d <= 18; d++) {
            int x = (int) Math.round(32 + d * Math.cos(Math.PI / 3));
            int y = (int) Math.round(32 - d * Math.sin(Math.PI / 3));
            Color c = new Color(out.getRGB(x, y));
            if (c.getRed() > 150 && c.getGreen() < 100) {
                red++;
            }
        }
        assertTrue(known > 200, "known pixels checked: " + known);
        assertTrue(red >= 7, "red pixels on the turned bar: " + red);
    }
}
