package io.rotationdrag.diffusion.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyTextEncoderFactoryTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static Map<String, float[]> asMap(List<HostTensor> tensors) {
        Map<String, float[]> m = new HashMap<>();
        tensors.forEach(t -> m.put(t.name(), t.data()));
        return m;
    }

    @Test
    void roundTripLoadsEveryTensorExactlyAndComputesTheReference(@TempDir Path dir) throws IOException {
        ClipTextConfig cfg = TinyTextEncoderFactory.tinyConfig(300, 32);
        Path te = dir.resolve("text_encoder");
        TinyTextEncoderFactory.write(te, cfg, 123);
        assertTrue(Files.isRegularFile(te.resolve("config.json")));
        assertEquals(cfg, ClipTextConfig.read(te));
        List<HostTensor> written = TinyTextEncoderFactory.randomWeights(cfg, 123);
        for (HostTensor t : written) {
            for (float v : t.data()) assertNotEquals(0f, v, t.name());
        }
        try (NDManager m = manager.newSubManager();
             ClipTextModel model = ClipTextModel.load(te, m)) {
            assertEquals(cfg.parameterShapes().size(), written.size());
            for (HostTensor t : written) {
                NDArray w = model.weight(t.name());
                assertArrayEquals(t.shape(), w.getShape().getShape(), t.name());
                assertArrayEquals(t.data(), w.toFloatArray(), 0f, t.name());
            }
            int[] ids = new int[77];
            for (int i = 0; i < 77; i++) ids[i] = (i * 37 + 5) % 300;
            float[][] ref = ClipTextModelTest.referenceForward(cfg, asMap(written), ids);
            float[] got = model.forward(ClipTextModel.tokenIds(m, new int[][] {ids})).toFloatArray();
            for (int t = 0; t < 77; t++) {
                for (int c = 0; c < 32; c++) assertEquals(ref[t][c], got[t * 32 + c], 1e-4, "t=" + t + " c=" + c);
            }
        }
    }

    @Test
    void fp16FileIsWidenedAndPositionIdsAreIgnored(@TempDir Path dir) throws IOException {
        ClipTextConfig cfg = TinyTextEncoderFactory.tinyConfig(100, 16);
        Path te = Files.createDirectories(dir.resolve("text_encoder"));
        cfg.write(te.resolve("config.json"));
        List<HostTensor> tensors = new ArrayList<>(TinyTextEncoderFactory.randomWeights(cfg, 9));
        float[] pos = new float[77];
        for (int i = 0; i < 77; i++) pos[i] = i;
        tensors.add(new HostTensor(ClipTextModel.POSITION_IDS, new long[] {1, 77}, pos));
        try (OutputStream os = Files.newOutputStream(te.resolve("model.fp16.safetensors"))) {
            SafeTensors.write(os, tensors, Map.of("format", "pt"), SafeTensors.DType.F16);
        }
        try (NDManager m = manager.newSubManager();
             ClipTextModel model = ClipTextModel.load(te, m)) {
            HostTensor fc1 = tensors.stream().filter(t -> t.name().endsWith("layers.1.mlp.fc1.weight")).findFirst()
                    .orElseThrow();
            float[] got = model.weight(fc1.name()).toFloatArray();
            for (int i = 0; i < got.length; i++) {
                assertEquals(SafeTensors.halfToFloat(SafeTensors.floatToHalf(fc1.data()[i])), got[i], 0f);
            }
            assertEquals(new Shape(1, 77, 16), model.forward(ClipTextModel.tokenIds(m, new int[][] {new int[77]}))
                    .getShape());
        }
    }

    @Test
    void configThatDoesNotMatchTheWeightsIsAClearError(@TempDir Path dir) {
        ClipTextConfig cfg = TinyTextEncoderFactory.tinyConfig(100, 16);
        Path te = dir.resolve("text_encoder");
        TinyTextEncoderFactory.write(te, cfg, 1);
        ClipTextConfig wider = new ClipTextConfig(100, 16, 38, 2, 4, 77, "quick_gelu", 1e-5, 0, 2, 1);
        wider.write(te.resolve("config.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipTextModel.load(te, manager));
        assertTrue(e.getMessage().contains("mlp.fc1.weight") && e.getMessage().contains("[37, 16]")
                && e.getMessage().contains("[38, 16]"), e.getMessage());
        ClipTextConfig deeper = new ClipTextConfig(100, 16, 37, 3, 4, 77, "quick_gelu", 1e-5, 0, 2, 1);
        deeper.write(te.resolve("config.json"));
        e = assertThrows(IllegalArgumentException.class, () -> ClipTextModel.load(te, manager));
        assertTrue(e.getMessage().contains("layers.2."), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ClipTextModel.load(dir.resolve("nothing"), manager));
        assertTrue(none.getMessage().contains("model.safetensors"), none.getMessage());
    }

    @Test
    void writesTokenizerAndEncoderThatWorkTogether(@TempDir Path dir) {
        ClipTextConfig cfg = TinyTextEncoderFactory.writeWithTokenizer(dir, TinyClipFiles.DEFAULT_WORDS, 32, 7);
        ClipTokenizer tok = ClipTokenizer.load(dir.resolve("tokenizer"));
        assertEquals(tok.vocabSize(), cfg.vocabSize());
        try (NDManager m = manager.newSubManager();
             ClipTextModel model = ClipTextModel.load(dir.resolve("text_encoder"), m)) {
            NDArray e = model.encode(m, tok, List.of("a photo of a red clock", "a photo of a blue clock"));
            assertEquals(new Shape(2, 77, 32), e.getShape());
            // positions 0..4 hold the same tokens ("<bos> a photo of a"), so causal attention makes them equal
            assertArrayEquals(e.get("0,0:5").toFloatArray(), e.get("1,0:5").toFloatArray(), 1e-6f);
            assertTrue(e.get("0,5").sub(e.get("1,5")).abs().max().getFloat() > 1e-3f);
        }
    }
}
