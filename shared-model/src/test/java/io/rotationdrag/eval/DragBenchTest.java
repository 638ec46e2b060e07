package io.rotationdrag.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DragBenchTest {
    static final Path GOLDEN = Path.of(System.getProperty("rotationdrag.shared.dir", "../../shared"),
            "golden", "dragbench-format");

    @Test
    void readsNumpy2DefaultProtocolSample() {
        DragBenchSample s = DragBenchReader.readSample(GOLDEN.resolve("clock_numpy2_default"), "");
        assertEquals("a clock with a red hand", s.prompt());
        assertEquals(512, s.image().getWidth());
        assertEquals(512, s.image().getHeight());
        // Values as CPython's pickle + numpy read them.
        assertEquals(List.of(new HandleTarget(328, 131, 131, 184), new HandleTarget(256, 256, 256, 256)), s.points());
        assertTrue(s.points().get(1).isRotationAxis());
        assertEquals(1, s.drags().size());
        assertEquals(90749, s.mask().count());
        assertTrue(s.maskDrawn());
        assertNull(s.groundTruth());
    }

    @Test
    void readsNumpy1Protocol2SampleWithInt64Points() {
        DragBenchSample s = DragBenchReader.readSample(GOLDEN.resolve("clock_numpy1_protocol2"), "");
        assertEquals("a clock with a red hand", s.prompt());
        assertEquals(384, s.image().getWidth());
        assertEquals(512, s.image().getHeight());
        assertEquals(List.of(new HandleTarget(246, 162, 98, 202), new HandleTarget(192, 256, 192, 256)), s.points());
        assertEquals(51429, s.mask().count());
        assertEquals(384, s.mask().width());
    }

    @Test
    void readsCpythonScalarsAndFortranOrderArrays() throws IOException {
        // CPython 3.11 + numpy 2.4, protocol 2: {'prompt': 'tiny', 'points': [[int64(1), int64(0)],
        // [int32(2), float64(1.5)]], 'mask': asfortranarray(uint8 [[0, 1, 2], [0, 0, 3]])}.
        byte[] pkl = Base64.getDecoder().decode("gAJ9cQAoWAYAAABwcm9tcHRxAVgEAAAAdGlueXECWAYAAABwb2ludHNxA11xBChdcQUoY251bXB5Ll9jb3JlLm11bHRpYXJyYXkKc2NhbGFyCnEGY251bXB5CmR0eXBlCnEHWAIAAABpOHEIiYiHcQlScQooSwNYAQAAADxxC05OTkr/////Sv////9LAHRxDGJjX2NvZGVjcwplbmNvZGUKcQ1YCAAAAAEAAAAAAAAAcQ5YBgAAAGxhdGluMXEPhnEQUnERhnESUnETaAZoCmgNWAgAAAAAAAAAAAAAAHEUaA+GcRVScRaGcRdScRhlXXEZKGgGaAdYAgAAAGk0cRqJiIdxG1JxHChLA2gLTk5OSv////9K/////0sAdHEdYmgNWAQAAAACAAAAcR5oD4ZxH1JxIIZxIVJxImgGaAdYAgAAAGY4cSOJiIdxJFJxJShLA2gLTk5OSv////9K/////0sAdHEmYmgNWAkAAAAAAAAAAADDuD9xJ2gPhnEoUnEphnEqUnErZWVYBAAAAG1hc2txLGNudW1weS5fY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxLWNudW1weQpuZGFycmF5CnEuSwCFcS9oDVgBAAAAYnEwaA+GcTFScTKHcTNScTQoSwFLAksDhnE1aAdYAgAAAHUxcTaJiIdxN1JxOChLA1gBAAAAfHE5Tk5OSv////9K/////0sAdHE6YohoDVgGAAAAAAABAAIDcTtoD4ZxPFJxPXRxPmJ1Lg==");
        Map<?, ?> meta = (Map<?, ?>) NumpyPickle.load(pkl);
        List<?> pts = (List<?>) meta.get("points");
        assertEquals(List.of(1L, 0L), pts.get(0));
        assertEquals(List.of(2L, 1.5), pts.get(1));
        NumpyArray mask = (NumpyArray) meta.get("mask");
        assertArrayEquals(new int[]{2, 3}, mask.shape());
        assertArrayEquals(new double[]{0, 1, 2, 0, 0, 3}, mask.toDoubleArray()); // back in C order

        Path dir = Files.createTempDirectory("rd-scalar");
        Files.write(dir.resolve("meta_data.pkl"), pkl);
        writePng(TestImages.texture(3, 2, 1), dir.resolve("original_image.png"));
        DragBenchSample s = DragBenchReader.readSample(dir, "");
        assertEquals(List.of(new HandleTarget(1, 0, 2, 1.5)), s.points());
        assertEquals(3, s.mask().count()); // 1, 2, 3 are all editable
        assertTrue(s.mask().get(2, 1) && s.mask().get(1, 0) && !s.mask().get(0, 1));
    }

    @Test
    void writtenSampleReadsBackIdentically(@TempDir Path tmp) {
        BufferedImage img = TestImages.texture(40, 30, 11);
        boolean[] m = new boolean[40 * 30];
        for (int i = 0; i < m.length; i += 3) {
            m[i] = true;
        }
        BufferedImage gt = TestImages.texture(40, 30, 12);
        DragBenchSample s = new DragBenchSample("animals", "cat_1", img, PixelMask.of(40, 30, m),
                List.of(new HandleTarget(5, 6, 20, 21), new HandleTarget(10.5, 3, 10.5, 3)), "a cat 🐈", gt, null);
        Path dir = DragBenchWriter.writeSampleUnder(tmp, s);
        assertEquals(tmp.resolve("animals/cat_1"), dir);
        assertTrue(Files.isRegularFile(dir.resolve("user_drag.png")));

        List<DragBenchSample> back = DragBenchReader.readDataset(tmp);
        assertEquals(1, back.size());
        DragBenchSample r = back.get(0);
        assertEquals("animals/cat_1", r.id());
        assertEquals(s.prompt(), r.prompt());
        assertEquals(s.points(), r.points());
        assertEquals(s.mask(), r.mask());
        assertSamePixels(img, r.image());
        assertSamePixels(gt, r.groundTruth());
    }

    @Test
    void writerOutputHasNumpyPickleStructure() throws IOException {
        DragBenchSample s = new DragBenchSample("", "x", TestImages.texture(2, 2, 1),
                PixelMask.filled(2, 2, true), List.of(new HandleTarget(0, 0, 1, 1)), "p", null, null);
        byte[] pkl = DragBenchWriter.metaPickle(s);
        String text = new String(pkl, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("cnumpy.core.multiarray\n_reconstruct\n"));
        assertTrue(text.contains("cnumpy\ndtype\n"));
        NumpyArray mask = (NumpyArray) ((Map<?, ?>) NumpyPickle.load(pkl)).get("mask");
        assertEquals("u1", mask.dtype().code());
        assertArrayEquals(new double[]{1, 1, 1, 1}, mask.toDoubleArray());
    }

    @Test
    void readsReferenceUiConfigJson(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("ui_sample");
        Files.createDirectories(dir);
        writePng(TestImages.texture(20, 10, 1), dir.resolve("original_image.png"));
        Files.writeString(dir.resolve("config.json"),
                "{\"prompt\": \"a dog\", \"point\": [[1, 2], [3, 4], [5, 5], [5, 5]], \"pix_step\": 120}");
        DragBenchSample s = DragBenchReader.readSample(dir, "");
        assertEquals("a dog", s.prompt());
        assertEquals(120, s.dragSteps());
        assertEquals(List.of(new HandleTarget(1, 2, 3, 4), new HandleTarget(5, 5, 5, 5)), s.points());
        assertFalse(s.maskDrawn());

        PixelMask m = PixelMask.of(20, 10, half(20, 10));
        writePng(m.toImage(), dir.resolve("mask.png"));
        assertEquals(m, DragBenchReader.readSample(dir, "").mask());
        assertNull(s.rotationDeg());
        Files.writeString(dir.resolve("sample.json"), "{\"angle_deg\": -30.5, \"axis\": [5, 5]}");
        assertEquals(-30.5, DragBenchReader.readSample(dir, "").rotationDeg());
    }

    @Test
    void resultsGoToCategorySampleDraggedImage(@TempDir Path tmp) {
        DragBenchSample s = new DragBenchSample("art_work", "s1", TestImages.texture(4, 4, 1), null,
                List.of(new HandleTarget(0, 0, 1, 1)), "", null, null);
        Path p = DragBenchWriter.writeResult(tmp, s, TestImages.texture(4, 4, 2));
        assertEquals(tmp.resolve("art_work/s1/dragged_image.png"), p);
        assertTrue(Files.isRegularFile(p));
    }

    @Test
    void clearErrorsForMissingOrMalformedFiles(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("s");
        Files.createDirectories(dir);
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "missing original_image.png");
        Files.writeString(dir.resolve("original_image.png"), "not a png");
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "not a PNG");
        writePng(TestImages.texture(8, 8, 1), dir.resolve("original_image.png"));
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "neither meta_data.pkl nor config.json");

        Path pkl = dir.resolve("meta_data.pkl");
        Files.write(pkl, new byte[]{1, 2, 3});
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "not a readable pickle");
        Files.write(pkl, PickleWriter.dumps(List.of(1, 2)));
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "expected a dict");
        Files.write(pkl, PickleWriter.dumps(Map.of("prompt", "x", "points", List.of())));
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "no 'mask'");
        NumpyArray mask8 = new NumpyArray(new NumpyDType("u1"), new int[]{8, 8}, new double[64]);
        Files.write(pkl, PickleWriter.dumps(Map.of("prompt", "x", "points",
                List.of(List.of(1, 1), List.of(2, 2), List.of(3, 3)), "mask", mask8)));
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "even count");
        Files.write(pkl, PickleWriter.dumps(Map.of("prompt", "x", "points",
                List.of(List.of(1, 1), List.of(9, 2)), "mask", mask8)));
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "outside the 8x8 image");
        NumpyArray mask7 = new NumpyArray(new NumpyDType("u1"), new int[]{7, 8}, new double[56]);
        Files.write(pkl, PickleWriter.dumps(Map.of("prompt", "x", "points",
                List.of(List.of(1, 1), List.of(2, 2)), "mask", mask7)));
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "'mask' has shape [7, 8]");
        // A float mask of zeros (DragBench's "no mask drawn") reads as "not drawn".
        NumpyArray zeros = new NumpyArray(new NumpyDType("f4"), new int[]{8, 8}, new double[64]);
        Files.write(pkl, PickleWriter.dumps(Map.of("prompt", "x", "points",
                List.of(List.of(1, 1), List.of(2, 2)), "mask", zeros)));
        assertFalse(DragBenchReader.readSample(dir, "").maskDrawn());

        Files.delete(pkl);
        Files.writeString(dir.resolve("config.json"), "{\"point\": [[1, 2]");
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "not valid JSON");
        Files.writeString(dir.resolve("config.json"), "{\"point\": [[1, 2, 3]]}");
        assertMessage(() -> DragBenchReader.readSample(dir, ""), "[x, y]");

        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty.resolve("cat"));
        assertMessage(() -> DragBenchReader.readDataset(empty), "no DragBench sample");
        assertMessage(() -> DragBenchReader.readDataset(tmp.resolve("nope")), "not found");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String part) {
        DatasetFormatException ex = assertThrows(DatasetFormatException.class, e);
        assertTrue(ex.getMessage().contains(part), "message '" + ex.getMessage() + "' lacks '" + part + "'");
    }

    private static boolean[] half(int w, int h) {
        boolean[] b = new boolean[w * h];
        for (int i = 0; i < b.length; i++) {
            b[i] = i % w < w / 2;
        }
        return b;
    }

    static void writePng(BufferedImage img, Path p) throws IOException {
        javax.imageio.ImageIO.write(img, "png", p.toFile());
    }

    static void assertSamePixels(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(a.getHeight(), b.getHeight());
        assertArrayEquals(a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth()),
                b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth()));
    }
}
