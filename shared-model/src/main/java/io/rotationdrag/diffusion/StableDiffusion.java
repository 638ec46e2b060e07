package io.rotationdrag.diffusion;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.diffusion.text.ClipTextModel;
import io.rotationdrag.diffusion.text.ClipTokenizer;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.vae.AutoencoderKL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Stable Diffusion 1.x model loaded from a diffusers folder: {@code unet/}, {@code vae/}, {@code scheduler/}
 * (required) and {@code text_encoder/} + {@code tokenizer/} (optional: without them prompts cannot be encoded and
 * {@link #encodePrompt} says so). All weights live in one manager owned by this object; close it to free them.
 */
public final class StableDiffusion implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StableDiffusion.class);

    private final Path folder;
    private final EngineOptions options;
    private final NDManager manager;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final DdimScheduler scheduler;
    private final ClipTextModel textEncoder;
    private final ClipTokenizer tokenizer;

    private StableDiffusion(Path folder, EngineOptions options, NDManager manager, UNet2DConditionModel unet,
                            AutoencoderKL vae, DdimScheduler scheduler, ClipTextModel textEncoder,
                            ClipTokenizer tokenizer) {
        this.folder = folder;
        this.options = options;
        this.manager = manager;
        this.unet = unet;
        this.vae = vae;
        this.scheduler = scheduler;
        this.textEncoder = textEncoder;
        this.tokenizer = tokenizer;
    }

    /** Loads the folder with the given options. */
    public static StableDiffusion load(Path folder, EngineOptions options) throws IOException {
        io.rotationdrag.diffusion.nn.KernelSelfCheck.ensure(); // once per process: are float32 conv gradients right here?
        if (!Files.isDirectory(folder)) {
            throw new IOException("model folder not found: " + folder);
        }
        for (String sub : List.of("unet", "vae", "scheduler")) {
            if (!Files.isDirectory(folder.resolve(sub))) {
                throw new IOException("model folder " + folder + " has no " + sub + "/ (diffusers layout expected)");
            }
        }
        if (options.threads() > 0 && "PyTorch".equals(Engine.getInstance().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(options.threads());
        }
        long t0 = System.nanoTime();
        NDManager m = NDManager.newBaseManager(options.djlDevice());
        UNet2DConditionModel unet = null;
        AutoencoderKL vae = null;
        ClipTextModel text = null;
        try {
            unet = UNet2DConditionModel.load(folder.resolve("unet"), m, options.dataType());
            vae = AutoencoderKL.load(folder.resolve("vae"), m, options.dataType());
            DdimScheduler sched = DdimScheduler.load(folder.resolve("scheduler"));
            ClipTokenizer tok = null;
            boolean hasText = Files.isDirectory(folder.resolve("text_encoder"));
            boolean hasTok = Files.isDirectory(folder.resolve("tokenizer"));
            if (hasText != hasTok) {
                throw new IOException(folder + ": text_encoder/ and tokenizer/ must both be present or both absent");
            }
            if (hasText) {
                text = ClipTextModel.load(folder.resolve("text_encoder"), m, options.dataType());
                tok = ClipTokenizer.load(folder.resolve("tokenizer"));
                if (text.config().hiddenSize() != unet.config().crossAttentionDim()) {
                    throw new IOException(folder + ": text encoder hidden size " + text.config().hiddenSize()
                            + " != UNet cross_attention_dim " + unet.config().crossAttentionDim());
                }
            }
            LOG.info("Stable Diffusion loaded from {} in {} ms (device {}, {}, text encoder {})", folder,
                    (System.nanoTime() - t0) / 1_000_000, options.device(), options.precision(), hasText);
            return new StableDiffusion(folder, options, m, unet, vae, sched, text, tok);
        } catch (IOException | RuntimeException e) {
            if (text != null) {
                text.close();
            }
            m.close();
            throw e;
        }
    }

    public static StableDiffusion load(Path folder) throws IOException {
        return load(folder, EngineOptions.cpu());
    }

    public Path folder() {
        return folder;
    }

    public EngineOptions options() {
        return options;
    }

    /** The manager that owns the weights; create per-call sub-managers from it. */
    public NDManager manager() {
        return manager;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    public DdimScheduler scheduler() {
        return scheduler;
    }

    public boolean hasTextEncoder() {
        return textEncoder != null;
    }

    public ClipTextModel textEncoder() {
        requireText();
        return textEncoder;
    }

    public ClipTokenizer tokenizer() {
        requireText();
        return tokenizer;
    }

    /** last_hidden_state [1, 77, C] of a prompt ("" = unconditional), created in {@code m}. */
    public NDArray encodePrompt(NDManager m, String prompt) {
        requireText();
        return textEncoder.encode(m, tokenizer, List.of(prompt == null ? "" : prompt));
    }

    /** Latent channels x (image / 8) for an image size. */
    public long[] latentShape(int batch, int imageHeight, int imageWidth) {
        int f = vae.downscale();
        if (imageHeight % f != 0 || imageWidth % f != 0) {
            throw new IllegalArgumentException("image size " + imageWidth + "x" + imageHeight + " must be a multiple of " + f);
        }
        return new long[]{batch, unet.config().inChannels(), imageHeight / f, imageWidth / f};
    }

    private void requireText() {
        if (textEncoder == null) {
            throw new IllegalStateException("model folder " + folder + " has no text_encoder/ + tokenizer/");
        }
    }

    @Override
    public void close() {
        if (textEncoder != null) {
            textEncoder.close();
        }
        unet.close();
        vae.close();
        manager.close();
    }
}
