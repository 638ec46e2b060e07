package io.rotationdrag.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.text.ClipTextConfig;
import io.rotationdrag.diffusion.text.ClipTextModel;
import io.rotationdrag.diffusion.text.ClipTokenizer;
import io.rotationdrag.synth.SceneVocabulary;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextEncoderFactoryTest {

    @Test
    void everySceneWordIsOneTokenAndPromptsGetDistinctStates(@TempDir Path dir) throws Exception {
        ClipTextConfig cfg = TextEncoderFactory.write(dir, 32, 2, 4, 64, 3);
        ClipTokenizer tok = ClipTokenizer.load(dir.resolve("tokenizer"));
        for (String w : SceneVocabulary.words()) {
            assertEquals(1, tok.encodeUnpadded(w).length, "word " + w);
        }
        assertEquals(tok.vocabSize(), cfg.vocabSize());
        try (NDManager m = NDManager.newBaseManager(); SafeTensors st = SafeTensors.open(dir.resolve("text_encoder/model.safetensors"))) {
            Map<String, NDArray> w = new HashMap<>();
            for (var t : st.readAll()) {
                w.put(t.name(), m.create(t.data(), new ai.djl.ndarray.types.Shape(t.shape())));
            }
            try (ClipTextModel model = new ClipTextModel(ClipTextConfig.read(dir.resolve("text_encoder")), w, m)) {
                NDArray s = model.encode(m, tok, List.of("a red bar on a blue background",
                        "a blue bar on a red background", "a red bar on a blue background"));
                assertEquals(77, s.getShape().get(1));
                float d01 = s.get(0).sub(s.get(1)).abs().max().getFloat();
                float d02 = s.get(0).sub(s.get(2)).abs().max().getFloat();
                assertEquals(0f, d02);
                assertTrue(d01 > 0.05f, "different prompts should differ: " + d01);
            }
        }
    }
}
