package io.rotationdrag.diffusion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.diffusion.io.ConfigJson;
import io.rotationdrag.diffusion.schedule.DdimSchedulerConfig;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.io.UNetConfig;
import io.rotationdrag.diffusion.io.VaeConfig;
import io.rotationdrag.diffusion.text.TinyClipFiles;
import io.rotationdrag.diffusion.text.TinyTextEncoderFactory;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.vae.AutoencoderKL;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes tiny random Stable Diffusion folders in the real diffusers layout (model_index.json, unet/, vae/,
 * scheduler/, text_encoder/, tokenizer/), so tests of every module load them with the same loader as SD 1.5.
 * Weights are deterministic in the seed and no layer is zero.
 */
public final class TinyModelFactory {
    private static final ObjectMapper JSON = ConfigJson.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT);

    private TinyModelFactory() {
    }

    /**
     * Sizes of a tiny model. The UNet keeps the SD 1.5 block topology (3 cross-attention down blocks, 1 plain,
     * mirrored up blocks, 2 layers per block, 16 self-attention layers), so up block 2 and the self-attention
     * indices mean the same as in SD 1.5.
     *
     * @param unetBase  UNet block widths (b, 2b, 2b, 2b)
     * @param vaeBase   VAE block widths (b, 2b, 4b, 4b), x8 down-sampling
     * @param groups    GroupNorm groups (must divide every width and the up-path concatenations)
     * @param heads     attention heads
     * @param crossDim  text hidden size = UNet cross_attention_dim
     * @param withText  write text_encoder/ and tokenizer/
     */
    public record Spec(int unetBase, int vaeBase, int groups, int heads, int crossDim, boolean withText) {
        /** About 0.5 M UNet parameters: fast enough for unit tests of every module. */
        public static Spec small() {
            return new Spec(16, 8, 8, 4, 32, true);
        }

        public UNetConfig unetConfig() {
            ObjectNode n = ConfigJson.object();
            n.putArray("block_out_channels").add(unetBase).add(2 * unetBase).add(2 * unetBase).add(2 * unetBase);
            n.put("norm_num_groups", groups);
            n.put("cross_attention_dim", crossDim);
            n.put("attention_head_dim", heads);
            n.put("sample_size", 8);
            return UNetConfig.fromJson(n);
        }

        public VaeConfig vaeConfig() {
            return VaeConfig.tiny(vaeBase, groups);
        }
    }

    /** Writes a tiny model into {@code root} (created if needed) and returns {@code root}. */
    public static Path write(Path root, Spec spec, long seed) throws IOException {
        Files.createDirectories(root);
        UNetConfig uc = spec.unetConfig();
        UNet2DConditionModel unet = UNet2DConditionModel.declare(uc);
        writeComponent(root.resolve("unet"), uc.toJson(), unet.parameters().randomWeights(seed, 1.0));
        VaeConfig vc = spec.vaeConfig();
        AutoencoderKL vae = AutoencoderKL.declare(vc);
        writeComponent(root.resolve("vae"), vc.toJson(), vae.parameters().randomWeights(seed + 1, 1.0));
        Files.createDirectories(root.resolve("scheduler"));
        ObjectNode s = DdimSchedulerConfig.sd15Json();
        JSON.writeValue(root.resolve("scheduler/scheduler_config.json").toFile(), s);
        ObjectNode idx = ConfigJson.object();
        idx.put("_class_name", "StableDiffusionPipeline");
        idx.putArray("unet").add("diffusers").add("UNet2DConditionModel");
        idx.putArray("vae").add("diffusers").add("AutoencoderKL");
        idx.putArray("scheduler").add("diffusers").add("DDIMScheduler");
        if (spec.withText()) {
            TinyTextEncoderFactory.writeWithTokenizer(root, TinyClipFiles.DEFAULT_WORDS, spec.crossDim(), seed + 2);
            idx.putArray("text_encoder").add("transformers").add("CLIPTextModel");
            idx.putArray("tokenizer").add("transformers").add("CLIPTokenizer");
        }
        JSON.writeValue(root.resolve("model_index.json").toFile(), idx);
        return root;
    }

    private static void writeComponent(Path dir, ObjectNode config, java.util.List<io.rotationdrag.diffusion.io.HostTensor> w)
            throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        SafeTensors.write(dir.resolve("diffusion_pytorch_model.safetensors"), w, Map.of("format", "pt"));
    }
}
