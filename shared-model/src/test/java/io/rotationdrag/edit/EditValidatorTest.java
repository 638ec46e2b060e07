package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.diffusion.ModelGeometry;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EditValidatorTest {
    /** multiples of 8; native 32 (only used when workingSize is 0) */
    private static final ModelGeometry GEOMETRY = new ModelGeometry(8, 32);

    private static BufferedImage img(int w, int h, int type) {
        BufferedImage b = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                b.setRGB(x, y, 0xFF000000 | (x * 3 % 256) << 16 | (y * 5 % 256) << 8 | 77);
            }
        }
        return b;
    }

    private static EditRequest req(BufferedImage image, BufferedImage mask, List<PointPair> pts) {
        return new EditRequest(image, mask, pts, null, EditOptions.defaults().withWorkingSize(64));
    }

    private static String msg(EditRequest r) {
        return assertThrows(EditValidationException.class, () -> EditValidator.prepare(r, GEOMETRY)).getMessage();
    }

    @Test
    void pointsOutsideTheImageAreRejectedWithTheirIndex() {
        BufferedImage im = img(100, 80, BufferedImage.TYPE_INT_RGB);
        String m = msg(req(im, null, List.of(PointPair.of(10, 10, 20, 20), PointPair.of(10, 10, 100, 20))));
        assertTrue(m.contains("target of point pair 1") && m.contains("outside the 100x80 image"), m);
        m = msg(req(im, null, List.of(PointPair.of(-1, 10, 20, 20))));
        assertTrue(m.contains("handle of point pair 0"), m);
        m = msg(req(im, null, List.of(PointPair.of(Double.NaN, 10, 20, 20))));
        assertTrue(m.contains("not a finite number"), m);
        // the last pixel is inside
        EditValidator.prepare(req(im, null, List.of(PointPair.of(99, 79, 0, 0))), GEOMETRY);
    }

    @Test
    void oddPointCountsAreRejected() {
        String m = assertThrows(EditValidationException.class,
                () -> EditRequest.pairsFromFlat(new double[]{1, 2, 3})).getMessage();
        assertTrue(m.contains("odd number of coordinates"), m);
        List<double[]> three = List.of(new double[]{1, 2}, new double[]{3, 4}, new double[]{5, 6});
        m = assertThrows(EditValidationException.class, () -> EditRequest.pairsFromPoints(three)).getMessage();
        assertTrue(m.contains("odd number of points (3)"), m);
        List<PointPair> ok = EditRequest.pairsFromFlat(new double[]{1, 2, 3, 4, 5, 6, 7, 8});
        assertEquals(List.of(PointPair.of(1, 2, 3, 4), PointPair.of(5, 6, 7, 8)), ok);
    }

    @Test
    void maskSizeMismatchAndTinyImagesAreRejected() {
        BufferedImage im = img(100, 80, BufferedImage.TYPE_INT_RGB);
        String m = msg(req(im, img(100, 81, BufferedImage.TYPE_INT_RGB), List.of(PointPair.of(1, 1, 5, 5))));
        assertTrue(m.contains("mask is 100x81 but the image is 100x80"), m);
        m = msg(req(img(63, 100, BufferedImage.TYPE_INT_RGB), null, List.of(PointPair.of(1, 1, 5, 5))));
        assertTrue(m.contains("at least 64"), m);
        m = msg(req(null, null, List.of(PointPair.of(1, 1, 5, 5))));
        assertTrue(m.contains("no image"), m);
    }

    @Test
    void tooManyPairsNoPairsAndOnlyAxesAreRejected() {
        BufferedImage im = img(64, 64, BufferedImage.TYPE_INT_RGB);
        List<PointPair> many = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            many.add(PointPair.of(i, i, i + 1, i));
        }
        String m = msg(req(im, null, many));
        assertTrue(m.contains("17 point pairs") && m.contains("at most 16"), m);
        EditValidator.prepare(req(im, null, many.subList(0, 16)), GEOMETRY);
        m = msg(req(im, null, List.of()));
        assertTrue(m.contains("no point pairs"), m);
        m = msg(req(im, null, List.of(PointPair.axis(3, 3))));
        assertTrue(m.contains("rotation axes only"), m);
    }

    @Test
    void nonRgbIsConvertedEmptyPromptAllowedAndPointsScaled() {
        BufferedImage argb = img(128, 96, BufferedImage.TYPE_INT_ARGB);
        BufferedImage mask = new BufferedImage(128, 96, BufferedImage.TYPE_BYTE_GRAY);
        EditRequest r = req(argb, mask, List.of(PointPair.of(0, 0, 127, 95), PointPair.axis(63.5, 47.5)));
        PreparedEdit p = EditValidator.prepare(r, GEOMETRY);
        assertEquals(BufferedImage.TYPE_INT_RGB, p.input().getType());
        assertEquals("", p.prompt());
        assertNull(p.mask(), "an all-zero mask means no mask drawn");
        assertEquals(64, p.workWidth());
        assertEquals(48, p.workHeight());
        // pixel centres map onto pixel centres; the image centre stays the centre
        assertEquals(31.5, p.axes().get(0).x(), 1e-9);
        assertEquals(23.5, p.axes().get(0).y(), 1e-9);
        assertEquals(0, p.handles().get(0).x(), 1e-9);
        assertEquals(63, p.targets().get(0).x(), 1e-9);
        // 127 -> 63.25, clamped onto the last working pixel 63, whose centre is input x 126.5
        assertEquals(126.5, p.toInput(p.targets().get(0)).x(), 1e-9);
        // a drawn mask is kept at the working size
        mask.setRGB(10, 10, 0xFFFFFF);
        mask.getRaster().setSample(60, 40, 0, 255);
        for (int y = 30; y < 60; y++) {
            for (int x = 30; x < 90; x++) {
                mask.getRaster().setSample(x, y, 0, 1);
            }
        }
        p = EditValidator.prepare(r.withOptions(r.options()), GEOMETRY);
        assertTrue(p.maskDrawn());
        assertEquals(64, p.mask().width());
    }

    @Test
    void workingSizeZeroIsTheModelsNativeSizeAndThePreparedOptionsCarryIt() {
        BufferedImage im = img(128, 96, BufferedImage.TYPE_INT_RGB);
        EditRequest r = new EditRequest(im, null, List.of(PointPair.of(0, 0, 127, 95)), "", EditOptions.defaults());
        assertEquals(EditOptions.NATIVE_WORKING_SIZE, r.options().workingSize());
        PreparedEdit p = EditValidator.prepare(r, GEOMETRY);
        assertEquals(32, p.workWidth());
        assertEquals(24, p.workHeight());
        assertEquals(32, p.options().workingSize(), "the resolved size, not 0");
        p = EditValidator.prepare(r, new ModelGeometry(64, 512));
        assertEquals(512, p.workWidth());
        assertEquals(384, p.workHeight());
        // an explicit size wins over the native one
        p = EditValidator.prepare(r.withOptions(r.options().withWorkingSize(64)), new ModelGeometry(8, 512));
        assertEquals(64, p.workWidth());
        String m = assertThrows(IllegalArgumentException.class,
                () -> EditOptions.defaults().withWorkingSize(4)).getMessage();
        assertTrue(m.contains(">= 8 (or 0"), m);
    }

    @Test
    void unknownTrackerIdsAreRejected() {
        assertEquals(TrackerKind.ROTATIONDRAG_CACHED, TrackerKind.fromId("rotationdrag-cached"));
        assertEquals(TrackerKind.FREEDRAG, TrackerKind.fromId("FREEDRAG"));
        String m = assertThrows(EditValidationException.class, () -> TrackerKind.fromId("sde-drag")).getMessage();
        assertTrue(m.contains("dragdiffusion, rotationdrag, rotationdrag-cached, freedrag"), m);
    }

    @Test
    void defaultsFollowMethodMd() {
        EditOptions d = EditOptions.defaults();
        assertEquals(TrackerKind.ROTATIONDRAG_CACHED, d.tracker());
        assertEquals(16, d.lora().rank());
        assertEquals(60, d.lora().steps());
        assertEquals(5e-4, d.lora().learningRate());
        assertEquals(4, d.lora().batchSize());
        assertEquals(38, d.inversion().actualSteps());
        assertEquals(35, EditOptions.dragDiffusion().inversion().actualSteps());
        assertEquals(80, d.drag().maxSteps());
        assertEquals(160, EditOptions.paper().drag().maxSteps());
        assertEquals(MaskTerm.ALWAYS, EditOptions.paper().drag().maskTerm());
        assertEquals(0.01, d.drag().learningRate());
        assertEquals(10, d.denoise().startLayerFor(16));
        assertEquals(3, d.denoise().startLayerFor(5));
    }
}
