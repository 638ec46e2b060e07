package io.rotationdrag.diffusion.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.diffusion.Golden;
import io.rotationdrag.diffusion.io.SafeTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the CLIP tokenizer and text model equal to the public transformers code on {@code golden/clip-text-a}
 * (15 prompts: case, punctuation, digits, apostrophes, whitespace, emoji, empty, truncation, NFD, CJK, controls,
 * literal special tokens). Both folders are read with the same loaders that read a real SD 1.5 text_encoder/ and
 * tokenizer/. Ids must match exactly, every hidden state to 1e-5 (fp32); the differences reached are printed.
 */
class ClipTextGoldenParityTest {
    static final double TOLERANCE = 1e-5;

    private static Path dir;
    private static JsonNode golden;
    private static List<String> prompts;
    private static NDManager manager;
    private static ClipTokenizer tokenizer;
    private static ClipTextModel model;
    private static SafeTensors tensors;

    @BeforeAll
    static void load() throws IOException {
        dir = Golden.sharedDir().resolve("golden/clip-text-a");
        golden = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        prompts = new ArrayList<>();
        for (JsonNode p : golden.get("prompts")) {
            prompts.add(p.get("text").asText());
        }
        manager = NDManager.newBaseManager();
        tokenizer = ClipTokenizer.load(dir.resolve("tokenizer"));
        model = ClipTextModel.load(dir.resolve("text_encoder"), manager);
        tensors = SafeTensors.open(dir.resolve("golden.safetensors"));
    }

    @AfterAll
    static void close() throws IOException {
        if (tensors != null) {
            tensors.close();
        }
        if (model != null) {
            model.close();
        }
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void tokenIdsEqualTheGoldenIdsExactly() throws IOException {
        assertEquals(15, prompts.size(), "golden prompt count");
        long[] want = tensors.readLongs("input_ids");
        int len = tokenizer.maxLength();
        assertEquals(77, len);
        for (int i = 0; i < prompts.size(); i++) {
            JsonNode p = golden.get("prompts").get(i);
            String label = "prompt " + i + " (" + p.get("case").asText() + ")";
            List<String> bpe = new ArrayList<>();
            p.get("bpe_tokens").forEach(t -> bpe.add(t.asText()));
            assertEquals(bpe, tokenizer.tokenize(prompts.get(i)), label + ": BPE tokens");
            int[] unpadded = new int[p.get("ids_unpadded").size()];
            for (int k = 0; k < unpadded.length; k++) {
                unpadded[k] = p.get("ids_unpadded").get(k).asInt();
            }
            int[] ids = tokenizer.encode(prompts.get(i));
            int[] expected = new int[len];
            for (int k = 0; k < len; k++) {
                expected[k] = Math.toIntExact(want[i * len + k]);
            }
            assertArrayEquals(expected, ids, label + ": padded ids");
            // the unpadded list holds bos + body + eos, truncated to 77 like the padded row
            int[] head = new int[unpadded.length];
            System.arraycopy(ids, 0, head, 0, head.length);
            assertArrayEquals(unpadded, head, label + ": unpadded ids");
        }
    }

    @Test
    void hiddenStatesEqualTheGoldenWithin1e5() throws IOException {
        List<String> report = new ArrayList<>();
        try (NDManager m = manager.newSubManager()) {
            NDArray ids = ClipTextModel.tokenIds(m, tokenizer.encode(prompts));
            int layers = model.config().numHiddenLayers();
            assertEquals(3, layers);
            for (int i = 0; i <= layers; i++) {
                NDArray h = model.hiddenStatesBeforeFinalNorm(m, ids, i);
                report.add(check(m, "hidden_states." + i, h));
            }
            NDArray last = model.forward(ids);
            report.add(check(m, "last_hidden_state", last));
            // pooler_output: last_hidden_state at the first eos of each row
            int[][] rows = tokenizer.encode(prompts);
            NDArray[] pooled = new NDArray[rows.length];
            for (int b = 0; b < rows.length; b++) {
                int eos = 0;
                while (rows[b][eos] != tokenizer.eosId()) {
                    eos++;
                }
                pooled[b] = last.get(new NDIndex("{}, {}, :", b, eos));
            }
            report.add(check(m, "pooler_output", NDArrays.stack(new NDList(pooled))));
            // clip_skip1 = final_layer_norm(hidden_states[-2])
            NDArray penultimate = model.hiddenStatesBeforeFinalNorm(m, ids, layers - 1);
            NDArray skip = LayerNorm.layerNorm(penultimate, new Shape(model.config().hiddenSize()),
                    model.weight(ClipTextModel.FINAL_LAYER_NORM + ".weight"),
                    model.weight(ClipTextModel.FINAL_LAYER_NORM + ".bias"),
                    (float) model.config().layerNormEps()).singletonOrThrow();
            report.add(check(m, "clip_skip1", skip));
        }
        System.out.println("clip-text-a parity (max |ours - golden|): " + String.join(", ", report));
    }

    private static String check(NDManager m, String key, NDArray ours) throws IOException {
        NDArray want = Golden.load(tensors, m, key);
        double diff = Golden.maxAbsDiff(ours.toType(DataType.FLOAT32, false), want);
        double scale = Golden.maxAbs(want);
        assertTrue(diff <= TOLERANCE, key + ": max abs diff " + diff + " > " + TOLERANCE + " (|golden| max " + scale + ")");
        return String.format(java.util.Locale.ROOT, "%s %.3g (|golden| %.3g)", key, diff, scale);
    }
}
