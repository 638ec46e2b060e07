package io.rotationdrag.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.io.VaeConfig;
import io.rotationdrag.diffusion.nn.Conv2dLayer;
import io.rotationdrag.diffusion.nn.Downsample2D;
import io.rotationdrag.diffusion.nn.GroupNormLayer;
import io.rotationdrag.diffusion.nn.Ops;
import io.rotationdrag.diffusion.nn.ParameterStore;
import io.rotationdrag.diffusion.nn.ResnetBlock2D;
import io.rotationdrag.diffusion.nn.Upsample2D;
import io.rotationdrag.diffusion.unet.Attention;
import io.rotationdrag.diffusion.unet.AttentionCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * diffusers AutoencoderKL for SD 1.x (spec.md section 5): encoder -> quant_conv -> posterior; post_quant_conv ->
 * decoder. All GroupNorms eps 1e-6; the mid block attention has one head with biased q/k/v.
 *
 * <p>Loading accepts the modern attention names (to_q/to_k/to_v/to_out.0) and the legacy ones of the fp32 SD 1.5
 * file (query/key/value/proj_attn), 2-D or [C,C,1,1]. {@link #encode} / {@link #decode} take and return arrays in
 * the caller's manager; intermediates are closed. Latent scaling (0.18215) is left to the caller:
 * {@link #scalingFactor()}.
 */
public final class AutoencoderKL implements AutoCloseable {

    /** The weights file of a diffusers vae/ folder. */
    public static final String WEIGHTS = "diffusion_pytorch_model.safetensors";
    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderKL.class);
    private static final double EPS = 1e-6;

    private final VaeConfig config;
    private final ParameterStore store = new ParameterStore("vae");
    // encoder
    private final Conv2dLayer encConvIn;
    private final List<List<ResnetBlock2D>> encBlocks = new ArrayList<>();
    private final List<Downsample2D> encDown = new ArrayList<>();
    private final Mid encMid;
    private final GroupNormLayer encNormOut;
    private final Conv2dLayer encConvOut;
    private final Conv2dLayer quantConv;
    // decoder
    private final Conv2dLayer postQuantConv;
    private final Conv2dLayer decConvIn;
    private final Mid decMid;
    private final List<List<ResnetBlock2D>> decBlocks = new ArrayList<>();
    private final List<Upsample2D> decUp = new ArrayList<>();
    private final GroupNormLayer decNormOut;
    private final Conv2dLayer decConvOut;
    private NDManager manager;

    /** UNetMidBlock2D: resnet, attention (1 head, residual), resnet. */
    private static final class Mid {
        final ResnetBlock2D r0;
        final GroupNormLayer attnNorm;
        final Attention attn;
        final ResnetBlock2D r1;

        Mid(ParameterStore s, String p, int c, int groups, boolean addAttention) {
            r0 = new ResnetBlock2D(s, p + ".resnets.0", c, c, 0, groups, EPS, 1.0);
            if (addAttention) {
                attnNorm = new GroupNormLayer(s, p + ".attentions.0.group_norm", c, groups, EPS);
                attn = new Attention(s, new Attention.Info(0, p + ".attentions.0", Attention.Kind.SELF, 0, c, c, 1), true);
            } else {
                attnNorm = null;
                attn = null;
            }
            r1 = new ResnetBlock2D(s, p + ".resnets.1", c, c, 0, groups, EPS, 1.0);
        }

        NDArray forward(NDArray x) {
            NDArray h = r0.forward(x, null);
            if (attn != null) {
                long hh = h.getShape().get(2);
                long ww = h.getShape().get(3);
                NDArray t = Ops.toTokens(attnNorm.forward(h));
                NDArray o = attn.forward(t, null, new AttentionCall(0, h.getShape().get(0)));
                h = Ops.fromTokens(o, hh, ww).add(h);
            }
            return r1.forward(h, null);
        }
    }

    private AutoencoderKL(VaeConfig c) {
        this.config = c;
        int[] boc = c.blockOutChannels();
        int n = boc.length;
        int g = c.normNumGroups();
        encConvIn = new Conv2dLayer(store, "encoder.conv_in", c.inChannels(), boc[0], 3, 1, 1);
        int out = boc[0];
        for (int i = 0; i < n; i++) {
            int in = out;
            out = boc[i];
            List<ResnetBlock2D> rs = new ArrayList<>();
            for (int j = 0; j < c.layersPerBlock(); j++) {
                rs.add(new ResnetBlock2D(store, "encoder.down_blocks." + i + ".resnets." + j, j == 0 ? in : out, out, 0, g, EPS, 1.0));
            }
            encBlocks.add(rs);
            encDown.add(i < n - 1 ? new Downsample2D(store, "encoder.down_blocks." + i + ".downsamplers.0", out, 0) : null);
        }
        encMid = new Mid(store, "encoder.mid_block", boc[n - 1], g, c.midBlockAddAttention());
        encNormOut = new GroupNormLayer(store, "encoder.conv_norm_out", boc[n - 1], g, EPS);
        encConvOut = new Conv2dLayer(store, "encoder.conv_out", boc[n - 1], 2 * c.latentChannels(), 3, 1, 1);

        decConvIn = new Conv2dLayer(store, "decoder.conv_in", c.latentChannels(), boc[n - 1], 3, 1, 1);
        decMid = new Mid(store, "decoder.mid_block", boc[n - 1], g, c.midBlockAddAttention());
        out = boc[n - 1];
        for (int i = 0; i < n; i++) {
            int prev = out;
            out = boc[n - 1 - i];
            List<ResnetBlock2D> rs = new ArrayList<>();
            for (int j = 0; j < c.layersPerBlock() + 1; j++) {
                rs.add(new ResnetBlock2D(store, "decoder.up_blocks." + i + ".resnets." + j, j == 0 ? prev : out, out, 0, g, EPS, 1.0));
            }
            decBlocks.add(rs);
            decUp.add(i < n - 1 ? new Upsample2D(store, "decoder.up_blocks." + i + ".upsamplers.0", out) : null);
        }
        decNormOut = new GroupNormLayer(store, "decoder.conv_norm_out", boc[0], g, EPS);
        decConvOut = new Conv2dLayer(store, "decoder.conv_out", boc[0], c.outChannels(), 3, 1, 1);
        // diffusers registers quant_conv / post_quant_conv after encoder and decoder
        quantConv = c.useQuantConv() ? new Conv2dLayer(store, "quant_conv", 2 * c.latentChannels(), 2 * c.latentChannels(), 1, 1, 0) : null;
        postQuantConv = c.usePostQuantConv() ? new Conv2dLayer(store, "post_quant_conv", c.latentChannels(), c.latentChannels(), 1, 1, 0) : null;
    }

    public static AutoencoderKL declare(VaeConfig config) {
        return new AutoencoderKL(config);
    }

    /** Loads {@code dir/config.json} + {@code diffusion_pytorch_model.safetensors} (or the fp16 variant). */
    public static AutoencoderKL load(Path dir, NDManager parent, DataType dtype) throws IOException {
        AutoencoderKL m = declare(VaeConfig.read(dir.resolve("config.json")));
        Path f = dir.resolve(WEIGHTS);
        if (!Files.exists(f) && Files.exists(dir.resolve("diffusion_pytorch_model.fp16.safetensors"))) {
            f = dir.resolve("diffusion_pytorch_model.fp16.safetensors");
        }
        try (SafeTensors st = SafeTensors.open(f)) {
            m.loadWeights(st, parent, dtype);
        }
        LOG.info("VAE loaded from {}: {} tensors, {} parameters", f, m.store.size(), m.store.parameterCount());
        return m;
    }

    /** Modern key -> "modern|legacy" candidates (legacy: query/key/value/proj_attn of older diffusers files). */
    static String fileKey(String k) {
        if (!k.contains("mid_block.attentions.0.to_")) {
            return k;
        }
        String legacy = k.replace(".to_q.", ".query.").replace(".to_k.", ".key.").replace(".to_v.", ".value.")
                .replace(".to_out.0.", ".proj_attn.");
        return k + "|" + legacy;
    }

    public void loadWeights(SafeTensors st, NDManager parent, DataType dtype) throws IOException {
        NDManager mm = parent.newSubManager();
        try {
            store.load(st, mm, dtype, AutoencoderKL::fileKey, Set.of());
        } catch (IOException | RuntimeException e) {
            mm.close();
            throw e;
        }
        replaceManager(mm);
    }

    public void setWeights(List<HostTensor> tensors, NDManager parent, DataType dtype) {
        NDManager mm = parent.newSubManager();
        store.set(tensors, mm, dtype);
        replaceManager(mm);
    }

    private void replaceManager(NDManager mm) {
        if (manager != null) {
            manager.close();
        }
        manager = mm;
    }

    public VaeConfig config() {
        return config;
    }

    public ParameterStore parameters() {
        return store;
    }

    public double scalingFactor() {
        return config.scalingFactor();
    }

    /** Spatial down-sampling factor (8 for SD). */
    public int downscale() {
        return 1 << (config.blockOutChannels().length - 1);
    }

    /** Encodes an image batch [B,3,H,W] in [-1,1] to the posterior (unscaled latent space). */
    public DiagonalGaussian encode(NDArray image) {
        requireLoaded();
        Shape s = image.getShape();
        if (s.dimension() != 4 || s.get(1) != config.inChannels()) {
            throw new IllegalArgumentException("image must be [B," + config.inChannels() + ",H,W], got " + s);
        }
        if (s.get(2) % downscale() != 0 || s.get(3) % downscale() != 0) {
            throw new IllegalArgumentException("image size " + s.get(2) + "x" + s.get(3) + " must be a multiple of " + downscale());
        }
        NDManager outer = image.getManager();
        try (NDManager scope = outer.newSubManager()) {
            NDArray h = inScope(scope, image);
            h = encConvIn.forward(h);
            for (int i = 0; i < encBlocks.size(); i++) {
                for (ResnetBlock2D r : encBlocks.get(i)) {
                    h = r.forward(h, null);
                }
                if (encDown.get(i) != null) {
                    h = encDown.get(i).forward(h);
                }
            }
            h = encMid.forward(h);
            h = encConvOut.forward(Ops.silu(encNormOut.forward(h)));
            if (quantConv != null) {
                h = quantConv.forward(h);
            }
            long lc = config.latentChannels();
            var parts = h.split(new long[]{lc}, 1);
            NDArray mean = parts.get(0);
            NDArray logvar = parts.get(1).clip(-30.0, 20.0);
            mean.attach(outer);
            logvar.attach(outer);
            return new DiagonalGaussian(mean, logvar);
        }
    }

    /** Decodes an (unscaled) latent [B,4,h,w] to an image [B,3,8h,8w] (about [-1,1], not clamped). */
    public NDArray decode(NDArray latent) {
        requireLoaded();
        Shape s = latent.getShape();
        if (s.dimension() != 4 || s.get(1) != config.latentChannels()) {
            throw new IllegalArgumentException("latent must be [B," + config.latentChannels() + ",h,w], got " + s);
        }
        NDManager outer = latent.getManager();
        try (NDManager scope = outer.newSubManager()) {
            NDArray h = inScope(scope, latent);
            if (postQuantConv != null) {
                h = postQuantConv.forward(h);
            }
            h = decConvIn.forward(h);
            h = decMid.forward(h);
            for (int i = 0; i < decBlocks.size(); i++) {
                for (ResnetBlock2D r : decBlocks.get(i)) {
                    h = r.forward(h, null);
                }
                if (decUp.get(i) != null) {
                    h = decUp.get(i).forward(h);
                }
            }
            h = decConvOut.forward(Ops.silu(decNormOut.forward(h)));
            h.attach(outer);
            return h;
        }
    }

    private NDArray inScope(NDManager scope, NDArray a) {
        DataType dt = store.params().get(0).get().getDataType();
        return Ops.inputCopy(scope, a, dt);
    }

    private void requireLoaded() {
        if (manager == null) {
            throw new IllegalStateException("VAE has no weights (declare() only)");
        }
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }
}
