package io.rotationdrag.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.io.UNetConfig;
import io.rotationdrag.diffusion.nn.Conv2dLayer;
import io.rotationdrag.diffusion.nn.Downsample2D;
import io.rotationdrag.diffusion.nn.GroupNormLayer;
import io.rotationdrag.diffusion.nn.LinearLayer;
import io.rotationdrag.diffusion.nn.Ops;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.nn.ParameterStore;
import io.rotationdrag.diffusion.nn.ResnetBlock2D;
import io.rotationdrag.diffusion.nn.Upsample2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * diffusers UNet2DConditionModel for SD 1.x (spec.md section 3), with diffusers parameter names.
 *
 * <p>Construction only declares parameter shapes ({@link #declare}); {@link #load} or {@link #setWeights} fills
 * them. Forward passes are differentiable w.r.t. the latent and any parameter (or LoRA delta) that requires a
 * gradient. Intermediates are created in a sub-manager of the latent's manager that is closed before returning;
 * the outputs are attached to the latent's manager.
 */
public final class UNet2DConditionModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UNet2DConditionModel.class);
    public static final String WEIGHTS = "diffusion_pytorch_model.safetensors";

    private final UNetConfig config;
    private final ParameterStore store = new ParameterStore("unet");
    private final List<Attention> attentions = new ArrayList<>();
    private final Conv2dLayer convIn;
    private final LinearLayer timeLinear1;
    private final LinearLayer timeLinear2;
    private final List<DownBlock> downBlocks = new ArrayList<>();
    private final MidBlock mid;
    private final List<UpBlock> upBlocks = new ArrayList<>();
    private final GroupNormLayer convNormOut;
    private final Conv2dLayer convOut;
    private NDManager manager;

    private static final class DownBlock {
        final List<ResnetBlock2D> resnets = new ArrayList<>();
        final List<Transformer2DModel> attns = new ArrayList<>();
        Downsample2D down;
    }

    private static final class UpBlock {
        final List<ResnetBlock2D> resnets = new ArrayList<>();
        final List<Transformer2DModel> attns = new ArrayList<>();
        Upsample2D up;
    }

    private static final class MidBlock {
        ResnetBlock2D r0;
        Transformer2DModel attn;
        ResnetBlock2D r1;
    }

    private UNet2DConditionModel(UNetConfig c) {
        this.config = c;
        int[] boc = c.blockOutChannels();
        int n = boc.length;
        int temb = c.timeEmbedDim();
        int groups = c.normNumGroups();
        double eps = c.normEps();
        int[] self = {0};
        convIn = new Conv2dLayer(store, "conv_in", c.inChannels(), boc[0], 3, 1, 1);
        timeLinear1 = new LinearLayer(store, "time_embedding.linear_1", boc[0], temb, true);
        timeLinear2 = new LinearLayer(store, "time_embedding.linear_2", temb, temb, true);

        int out = boc[0];
        for (int i = 0; i < n; i++) {
            int in = out;
            out = boc[i];
            String p = "down_blocks." + i;
            DownBlock b = new DownBlock();
            boolean cross = c.downBlockTypes().get(i).equals(UNetConfig.CROSS_DOWN);
            for (int j = 0; j < c.layersPerBlock(); j++) {
                b.resnets.add(new ResnetBlock2D(store, p + ".resnets." + j, j == 0 ? in : out, out, temb, groups, eps, 1.0));
                if (cross) {
                    b.attns.add(new Transformer2DModel(store, p + ".attentions." + j, out, c.attentionHeads()[i],
                            c.transformerLayersPerBlock()[i], c.crossAttentionDim(), groups, c.useLinearProjection(),
                            attentions, self));
                }
            }
            if (i < n - 1) {
                b.down = new Downsample2D(store, p + ".downsamplers.0", out, c.downsamplePadding());
            }
            downBlocks.add(b);
        }

        mid = new MidBlock();
        int cm = boc[n - 1];
        mid.r0 = new ResnetBlock2D(store, "mid_block.resnets.0", cm, cm, temb, groups, eps, c.midBlockScaleFactor());
        mid.attn = new Transformer2DModel(store, "mid_block.attentions.0", cm, c.attentionHeads()[n - 1],
                c.transformerLayersPerBlock()[n - 1], c.crossAttentionDim(), groups, c.useLinearProjection(), attentions, self);
        mid.r1 = new ResnetBlock2D(store, "mid_block.resnets.1", cm, cm, temb, groups, eps, c.midBlockScaleFactor());

        out = boc[n - 1];
        for (int i = 0; i < n; i++) {
            int prevOut = out;
            out = boc[n - 1 - i];
            int in = boc[Math.max(n - 2 - i, 0)];
            String p = "up_blocks." + i;
            UpBlock b = new UpBlock();
            boolean cross = c.upBlockTypes().get(i).equals(UNetConfig.CROSS_UP);
            int layers = c.layersPerBlock() + 1;
            for (int j = 0; j < layers; j++) {
                int skip = j == layers - 1 ? in : out;
                int resIn = j == 0 ? prevOut : out;
                b.resnets.add(new ResnetBlock2D(store, p + ".resnets." + j, resIn + skip, out, temb, groups, eps, 1.0));
                if (cross) {
                    b.attns.add(new Transformer2DModel(store, p + ".attentions." + j, out, c.attentionHeads()[n - 1 - i],
                            c.transformerLayersPerBlock()[n - 1 - i], c.crossAttentionDim(), groups,
                            c.useLinearProjection(), attentions, self));
                }
            }
            if (i < n - 1) {
                b.up = new Upsample2D(store, p + ".upsamplers.0", out);
            }
            upBlocks.add(b);
        }
        convNormOut = new GroupNormLayer(store, "conv_norm_out", boc[0], groups, eps);
        convOut = new Conv2dLayer(store, "conv_out", boc[0], c.outChannels(), 3, 1, 1);
    }

    /** Builds the module tree and declares parameter shapes; allocates nothing. */
    public static UNet2DConditionModel declare(UNetConfig config) {
        return new UNet2DConditionModel(config);
    }

    /** Loads {@code dir/config.json} and {@code dir/diffusion_pytorch_model.safetensors} (or the fp16 variant). */
    public static UNet2DConditionModel load(Path dir, NDManager parent, DataType dtype) throws IOException {
        UNet2DConditionModel m = declare(UNetConfig.read(dir.resolve("config.json")));
        Path f = dir.resolve(WEIGHTS);
        if (!Files.exists(f) && Files.exists(dir.resolve("diffusion_pytorch_model.fp16.safetensors"))) {
            f = dir.resolve("diffusion_pytorch_model.fp16.safetensors");
        }
        try (SafeTensors st = SafeTensors.open(f)) {
            m.loadWeights(st, parent, dtype);
        }
        LOG.info("UNet loaded from {}: {} tensors, {} parameters, dtype {}", f, m.store.size(),
                m.store.parameterCount(), dtype);
        return m;
    }

    /** Fills the parameters from a safetensors file into a new sub-manager of {@code parent}. */
    public void loadWeights(SafeTensors st, NDManager parent, DataType dtype) throws IOException {
        NDManager mm = parent.newSubManager();
        try {
            store.load(st, mm, dtype, Function.identity(), Set.of());
        } catch (IOException | RuntimeException e) {
            mm.close();
            throw e;
        }
        replaceManager(mm);
    }

    /** Sets all parameters from host tensors (e.g. {@link ParameterStore#randomWeights}). */
    public void setWeights(List<io.rotationdrag.diffusion.io.HostTensor> tensors, NDManager parent, DataType dtype) {
        if (tensors.size() != store.size()) {
            throw new IllegalArgumentException("expected " + store.size() + " tensors, got " + tensors.size());
        }
        NDManager mm = parent.newSubManager();
        store.set(tensors, mm, dtype);
        replaceManager(mm);
    }

    /** Fills every parameter with seeded random values created natively (see {@link ParameterStore#randomize}). */
    public void randomizeWeights(NDManager parent, DataType dtype, long seed) {
        NDManager mm = parent.newSubManager();
        try {
            store.randomize(mm, dtype, seed, 1.0);
        } catch (RuntimeException e) {
            mm.close();
            throw e;
        }
        replaceManager(mm);
    }

    private void replaceManager(NDManager mm) {
        if (manager != null) {
            manager.close();
        }
        manager = mm;
    }

    public UNetConfig config() {
        return config;
    }

    /** The parameters by diffusers key (values are set after loading). */
    public ParameterStore parameters() {
        return store;
    }

    /** The manager holding the weights (null before loading). */
    public NDManager manager() {
        return manager;
    }

    /** All attention layers in forward order (for SD 1.5: 32, self-attention indices 0..15). */
    public List<Attention> attentionLayers() {
        return Collections.unmodifiableList(attentions);
    }

    /** Installs one processor on every attention layer (null restores the default). */
    public void setAttentionProcessor(AttentionProcessor p) {
        attentions.forEach(a -> a.setProcessor(p));
    }

    public int numUpBlocks() {
        return upBlocks.size();
    }

    /** Convenience: the noise prediction at one timestep. */
    public NDArray predictNoise(NDArray latent, double timestep, NDArray encoderHiddenStates) {
        return forward(latent, timestep, encoderHiddenStates, UNetRequest.NOISE).noise();
    }

    /**
     * The noise head after the last up block: conv_out(silu(conv_norm_out(h))). Public, with its two halves, so that
     * gradients through the head can be checked on their own (golden unet-grad-a's bisection points).
     */
    public NDArray noiseHead(NDArray h) {
        return convOut(noiseHeadActivation(h));
    }

    /** silu(conv_norm_out(h)): the input of conv_out. */
    public NDArray noiseHeadActivation(NDArray h) {
        return Ops.silu(convNormOut.forward(h));
    }

    /** conv_out alone (few output channels: the convolution ConvGuard exists for). */
    public NDArray convOut(NDArray a) {
        return convOut.forward(a);
    }

    public UNetOutput forward(NDArray latent, double timestep, NDArray encoderHiddenStates, UNetRequest request) {
        NDArray t = OwnedArrays.of(latent.getManager(), new float[]{(float) timestep});
        try {
            return forward(latent, t, encoderHiddenStates, request);
        } finally {
            t.close();
        }
    }

    /**
     * The UNet forward.
     *
     * @param latent              [B, in_channels, h, w] (h, w divisible by 2^(blocks-1))
     * @param timesteps           shape [], [1] or [B]
     * @param encoderHiddenStates [B, M, cross_attention_dim] (or [1, M, C], broadcast over the batch)
     */
    public UNetOutput forward(NDArray latent, NDArray timesteps, NDArray encoderHiddenStates, UNetRequest request) {
        if (manager == null) {
            throw new IllegalStateException("UNet has no weights (declare() only)");
        }
        Shape ls = latent.getShape();
        if (ls.dimension() != 4 || ls.get(1) != config.inChannels()) {
            throw new IllegalArgumentException("latent must be [B," + config.inChannels() + ",h,w], got " + ls);
        }
        int factor = 1 << (downBlocks.size() - 1);
        if (ls.get(2) % factor != 0 || ls.get(3) % factor != 0) {
            throw new IllegalArgumentException("latent size " + ls.get(2) + "x" + ls.get(3) + " must be divisible by " + factor);
        }
        long batch = ls.get(0);
        Shape cs = encoderHiddenStates.getShape();
        if (cs.dimension() != 3 || cs.get(2) != config.crossAttentionDim() || (cs.get(0) != batch && cs.get(0) != 1)) {
            throw new IllegalArgumentException("encoder hidden states must be [" + batch + ",M," + config.crossAttentionDim()
                    + "], got " + cs);
        }
        for (int i : request.upBlocks()) {
            if (i < 0 || i >= upBlocks.size()) {
                throw new IllegalArgumentException("up block index " + i + " out of range 0.." + (upBlocks.size() - 1));
            }
        }
        long nt = timesteps.getShape().size();
        if (nt != 1 && nt != batch) {
            throw new IllegalArgumentException("timesteps must have 1 or " + batch + " entries, got " + timesteps.getShape());
        }
        NDManager outer = latent.getManager();
        DataType dt = store.params().get(0).get().getDataType();
        Map<Integer, NDArray> feats = new LinkedHashMap<>();
        NDArray noise = null;
        try (NDManager scope = outer.newSubManager()) {
            NDArray x = inScope(scope, latent, dt);
            NDArray ctx = inScope(scope, encoderHiddenStates, dt);
            if (cs.get(0) != batch) {
                ctx = ctx.repeat(0, batch);
            }
            NDArray ts = inScope(scope, timesteps, DataType.FLOAT32).reshape(-1);
            if (nt != batch) {
                ts = ts.repeat(0, batch);
            }
            AttentionCall call = new AttentionCall(ts.getFloat(0), batch);
            NDArray temb = timeEmbedding(ts).toType(dt, false);
            NDArray tembAct = Ops.silu(timeLinear2.forward(Ops.silu(timeLinear1.forward(temb))));

            if (config.centerInputSample()) {
                x = OwnedArrays.mul(x, 2).sub(1);
            }
            NDArray h = convIn.forward(x);
            Deque<NDArray> skips = new ArrayDeque<>();
            skips.push(h);
            for (DownBlock b : downBlocks) {
                for (int j = 0; j < b.resnets.size(); j++) {
                    h = b.resnets.get(j).forward(h, tembAct);
                    if (!b.attns.isEmpty()) {
                        h = b.attns.get(j).forward(h, ctx, call);
                    }
                    skips.push(h);
                }
                if (b.down != null) {
                    h = b.down.forward(h);
                    skips.push(h);
                }
            }
            h = mid.r0.forward(h, tembAct);
            h = mid.attn.forward(h, ctx, call);
            h = mid.r1.forward(h, tembAct);

            int last = request.noise() ? upBlocks.size() - 1 : Collections.max(request.upBlocks());
            for (int i = 0; i <= last; i++) {
                UpBlock b = upBlocks.get(i);
                for (int j = 0; j < b.resnets.size(); j++) {
                    h = h.concat(skips.pop(), 1);
                    h = b.resnets.get(j).forward(h, tembAct);
                    if (!b.attns.isEmpty()) {
                        h = b.attns.get(j).forward(h, ctx, call);
                    }
                }
                if (b.up != null) {
                    h = b.up.forward(h);
                }
                if (request.upBlocks().contains(i)) {
                    feats.put(i, h);
                }
            }
            if (request.noise()) {
                noise = noiseHead(h);
                noise.attach(outer);
            }
            feats.values().forEach(a -> a.attach(outer));
        }
        return new UNetOutput(noise, Collections.unmodifiableMap(feats));
    }

    /**
     * Sinusoidal timestep embedding (diffusers get_timestep_embedding), in float32 as torch computes it:
     * freq_k = exp(-ln(10000) * k / (half - freq_shift)), k = 0..half-1; emb = [sin(t f), cos(t f)],
     * swapped to [cos, sin] when flip_sin_to_cos.
     */
    NDArray timeEmbedding(NDArray ts) {
        int dim = config.blockOutChannels()[0];
        int half = dim / 2;
        NDManager m = ts.getManager();
        NDArray arange = m.arange(0f, (float) half, 1f, DataType.FLOAT32);
        NDArray freqs = OwnedArrays.div(OwnedArrays.mul(arange, -Math.log(10000)), half - config.freqShift()).exp();
        NDArray arg = ts.reshape(-1, 1).mul(freqs.reshape(1, -1));
        NDArray sin = arg.sin();
        NDArray cos = arg.cos();
        NDArray emb = config.flipSinToCos() ? cos.concat(sin, 1) : sin.concat(cos, 1);
        if (dim % 2 == 1) {
            emb = emb.concat(m.zeros(new Shape(emb.getShape().get(0), 1)), 1);
        }
        return emb;
    }

    /** A differentiable copy of an input in the forward's scope (so nothing is created in the caller's manager). */
    private static NDArray inScope(NDManager scope, NDArray a, DataType dt) {
        return Ops.inputCopy(scope, a, dt);
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }
}
