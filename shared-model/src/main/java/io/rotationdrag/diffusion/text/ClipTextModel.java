package io.rotationdrag.diffusion.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.io.WeightLoader;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * transformers' CLIPTextModel (the ViT-L/14 text tower SD 1.5 uses), returning last_hidden_state:
 * <pre>
 *   h = token_embedding[ids] + position_embedding[0..L-1]
 *   for each layer:  h = h + out_proj(MHA(layer_norm1(h), causal))
 *                    h = h + fc2(act(fc1(layer_norm2(h))))          act = quick_gelu: x * sigmoid(1.702 x)
 *   last_hidden_state = final_layer_norm(h)                            [B, L, hidden]
 * </pre>
 * MHA: q, k, v, out projections with bias; scores = q k^T / sqrt(head_dim) plus a causal mask (key j &gt; query i
 * gets the float minimum, as transformers); softmax over keys. No padding mask: SD feeds all 77 positions.
 *
 * <p>Owns its weights (an NDManager closed by {@link #close()}); each forward works in a sub-scope of the
 * input's manager and returns the result attached to the input's manager.
 */
public final class ClipTextModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClipTextModel.class);

    public static final String PREFIX = "text_model.";
    public static final String TOKEN_EMBEDDING = PREFIX + "embeddings.token_embedding.weight";
    public static final String POSITION_EMBEDDING = PREFIX + "embeddings.position_embedding.weight";
    /** A buffer (0..76) some files carry; it is not a parameter and is ignored. */
    public static final String POSITION_IDS = PREFIX + "embeddings.position_ids";
    public static final String FINAL_LAYER_NORM = PREFIX + "final_layer_norm";

    private final ClipTextConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> weights;

    static String layerPrefix(int i) {
        return PREFIX + "encoder.layers." + i + ".";
    }

    /**
     * Builds the model from named weights (transformers key names). The arrays are moved into the model's own
     * manager (attached to a child of {@code parent}) and converted to {@code dtype}.
     *
     * @throws IllegalArgumentException naming the key (and both shapes) when a tensor is missing or mis-shaped
     */
    public ClipTextModel(ClipTextConfig config, Map<String, NDArray> namedWeights, NDManager parent, DataType dtype) {
        this.config = config;
        Map<String, long[]> expected = config.parameterShapes();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            NDArray w = namedWeights.get(e.getKey());
            if (w == null) {
                problems.add("missing tensor " + e.getKey() + " (expected shape " + Arrays.toString(e.getValue()) + ")");
            } else if (!Arrays.equals(w.getShape().getShape(), e.getValue())) {
                problems.add("tensor " + e.getKey() + " has shape " + Arrays.toString(w.getShape().getShape())
                        + " but the config needs " + Arrays.toString(e.getValue()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("text encoder weights do not match config (" + problems.size()
                    + " problems): " + String.join("; ", problems.subList(0, Math.min(10, problems.size()))));
        }
        List<String> unexpected = namedWeights.keySet().stream()
                .filter(k -> !expected.containsKey(k) && !k.equals(POSITION_IDS)).sorted().toList();
        if (!unexpected.isEmpty()) {
            LOG.warn("text encoder: ignoring {} unexpected tensors, e.g. {}", unexpected.size(),
                    unexpected.subList(0, Math.min(5, unexpected.size())));
        }
        this.manager = parent.newSubManager();
        this.weights = new HashMap<>();
        for (String key : expected.keySet()) {
            NDArray w = namedWeights.get(key);
            NDArray converted = w.getDataType() == dtype ? w : w.toType(dtype, false);
            converted.attach(manager);
            weights.put(key, converted);
        }
    }

    /** {@link #ClipTextModel(ClipTextConfig, Map, NDManager, DataType)} in float32. */
    public ClipTextModel(ClipTextConfig config, Map<String, NDArray> namedWeights, NDManager parent) {
        this(config, namedWeights, parent, DataType.FLOAT32);
    }

    /** Weight files looked for in a {@code text_encoder/} folder, in order (fp16 is widened to float32). */
    public static final List<String> WEIGHT_FILES = List.of("model.safetensors", "model.fp16.safetensors");

    /**
     * Loads a transformers {@code text_encoder/} folder: {@code config.json} plus the first of
     * {@link #WEIGHT_FILES} present, with the exact transformers key names ({@code position_ids} ignored).
     *
     * @param dtype compute/storage type of the weights (FLOAT32 on CPU)
     */
    public static ClipTextModel load(Path textEncoderDir, NDManager parent, DataType dtype) {
        Path weightsFile = WEIGHT_FILES.stream().map(textEncoderDir::resolve).filter(Files::isRegularFile)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no text encoder weights in "
                        + textEncoderDir + " (looked for " + WEIGHT_FILES + ")"));
        return load(ClipTextConfig.read(textEncoderDir.resolve("config.json")), weightsFile, parent, dtype);
    }

    /** {@link #load(Path, NDManager, DataType)} in float32. */
    public static ClipTextModel load(Path textEncoderDir, NDManager parent) {
        return load(textEncoderDir, parent, DataType.FLOAT32);
    }

    /** Loads the weights of {@code config} from one safetensors file. */
    public static ClipTextModel load(ClipTextConfig config, Path weightsFile, NDManager parent, DataType dtype) {
        long start = System.nanoTime();
        try (SafeTensors st = SafeTensors.open(weightsFile);
             NDManager staging = parent.newSubManager()) {
            Map<String, NDArray> w = WeightLoader.load(st, staging, config.parameterShapes(), k -> k,
                    Set.of(POSITION_IDS), dtype);
            ClipTextModel model = new ClipTextModel(config, w, parent, dtype);
            LOG.info("text encoder loaded from {}: {} layers, hidden {}, {} parameters in {} ms", weightsFile,
                    config.numHiddenLayers(), config.hiddenSize(), model.parameterCount(),
                    (System.nanoTime() - start) / 1_000_000);
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read text encoder weights " + weightsFile, e);
        }
    }

    public ClipTextConfig config() {
        return config;
    }

    /** The model's weight by transformers key name (owned by the model: do not close). */
    public NDArray weight(String key) {
        NDArray w = weights.get(key);
        if (w == null) {
            throw new IllegalArgumentException("no text encoder weight named " + key);
        }
        return w;
    }

    /** Number of parameters held (123,060,480 for SD 1.5). */
    public long parameterCount() {
        return weights.values().stream().mapToLong(NDArray::size).sum();
    }

    /**
     * last_hidden_state for token ids {@code [B, L]} (any integer type, L &lt;= max_position_embeddings):
     * {@code [B, L, hidden]} in the model's dtype, attached to the manager of {@code inputIds}.
     */
    public NDArray forward(NDArray inputIds) {
        Shape s = inputIds.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("input ids must be [batch, length], got " + s);
        }
        int len = (int) s.get(1);
        if (len < 1 || len > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + len + " outside [1, "
                    + config.maxPositionEmbeddings() + "]");
        }
        if (!inputIds.getDataType().isInteger()) {
            throw new IllegalArgumentException("input ids must be integers, got " + inputIds.getDataType());
        }
        NDManager caller = inputIds.getManager();
        try (NDManager scope = caller.newSubManager()) {
            inputIds.tempAttach(scope);
            NDArray ids = inputIds.toType(DataType.INT64, true);
            long maxId = ids.max().getLong();
            long minId = ids.min().getLong();
            if (minId < 0 || maxId >= config.vocabSize()) {
                throw new IllegalArgumentException("token id out of range [0, " + config.vocabSize() + "): min "
                        + minId + ", max " + maxId);
            }
            NDArray h = hiddenStatesBeforeFinalNorm(scope, ids, config.numHiddenLayers());
            NDArray out = layerNorm(h, FINAL_LAYER_NORM);
            out.attach(caller);
            return out;
        }
    }

    /** Tokenises the prompts (padded to 77) and returns last_hidden_state {@code [B, 77, hidden]} in {@code m}. */
    public NDArray encode(NDManager m, ClipTokenizer tokenizer, List<String> prompts) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to encode");
        }
        int[][] ids = tokenizer.encode(prompts);
        try (NDManager scope = m.newSubManager()) {
            NDArray idArray = tokenIds(scope, ids);
            NDArray out = forward(idArray);
            out.attach(m);
            return out;
        }
    }

    /** {@code int[B][L]} as an int64 NDArray {@code [B, L]}. */
    public static NDArray tokenIds(NDManager m, int[][] ids) {
        int len = ids[0].length;
        long[] flat = new long[ids.length * len];
        for (int b = 0; b < ids.length; b++) {
            if (ids[b].length != len) {
                throw new IllegalArgumentException("ragged token ids: row " + b + " has " + ids[b].length
                        + " ids, row 0 has " + len);
            }
            for (int i = 0; i < len; i++) {
                flat[b * len + i] = ids[b][i];
            }
        }
        return OwnedArrays.of(m, flat, new Shape(ids.length, len));
    }

    /** Embeddings followed by the first {@code layers} encoder layers (package-private for tests). */
    NDArray hiddenStatesBeforeFinalNorm(NDManager scope, NDArray ids, int layers) {
        int len = (int) ids.getShape().get(1);
        NDArray tokens = Embedding.embedding(ids, weights.get(TOKEN_EMBEDDING), SparseFormat.DENSE).singletonOrThrow();
        NDArray positions = Embedding.embedding(scope.arange(0, len, 1, DataType.INT64),
                weights.get(POSITION_EMBEDDING), SparseFormat.DENSE).singletonOrThrow();
        NDArray h = tokens.add(positions);
        NDArray mask = causalMask(scope, len, weights.get(TOKEN_EMBEDDING).getDataType());
        for (int i = 0; i < layers; i++) {
            h = encoderLayer(h, i, mask);
        }
        return h;
    }

    private NDArray encoderLayer(NDArray h, int layer, NDArray mask) {
        String p = layerPrefix(layer);
        NDArray attn = selfAttention(layerNorm(h, p + "layer_norm1"), p + "self_attn.", mask);
        h = h.add(attn);
        NDArray mlp = linear(layerNorm(h, p + "layer_norm2"), p + "mlp.fc1");
        mlp = activation(mlp);
        mlp = linear(mlp, p + "mlp.fc2");
        return h.add(mlp);
    }

    private NDArray selfAttention(NDArray x, String p, NDArray mask) {
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int d = config.headDim();
        NDArray q = splitHeads(linear(x, p + "q_proj"), b, len, heads, d);
        NDArray k = splitHeads(linear(x, p + "k_proj"), b, len, heads, d);
        NDArray v = splitHeads(linear(x, p + "v_proj"), b, len, heads, d);
        NDArray scores = OwnedArrays.mul(q.matMul(k.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(d)).add(mask);
        NDArray probs = scores.softmax(-1);
        NDArray o = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, len, (long) heads * d);
        return linear(o, p + "out_proj");
    }

    private static NDArray splitHeads(NDArray t, long b, long len, int heads, int d) {
        return t.reshape(b, len, heads, d).transpose(0, 2, 1, 3);
    }

    /** [L, L]: 0 on and below the diagonal, the dtype's minimum above it (key j &gt; query i). */
    static NDArray causalMask(NDManager m, int len, DataType dtype) {
        float[] mask = new float[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = i + 1; j < len; j++) {
                mask[i * len + j] = -Float.MAX_VALUE;
            }
        }
        NDArray arr = OwnedArrays.of(m, mask, new Shape(len, len));
        return dtype == DataType.FLOAT32 ? arr : arr.toType(dtype, false);
    }

    private NDArray activation(NDArray x) {
        if ("quick_gelu".equals(config.hiddenAct())) {
            return x.mul(Activation.sigmoid(OwnedArrays.mul(x, 1.702)));
        }
        return Activation.gelu(x);
    }

    private NDArray linear(NDArray x, String name) {
        return Linear.linear(x, weights.get(name + ".weight"), weights.get(name + ".bias")).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), weights.get(name + ".weight"),
                weights.get(name + ".bias"), (float) config.layerNormEps()).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
