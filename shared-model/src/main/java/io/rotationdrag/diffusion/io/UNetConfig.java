package io.rotationdrag.diffusion.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The fields of diffusers' {@code UNet2DConditionModel} config that SD 1.x uses. Absent fields take the class
 * defaults of diffusers (e.g. use_linear_projection false, transformer_layers_per_block 1). Options this engine
 * does not implement (class embeddings, scale-shift time conditioning, ...) are rejected with a message.
 *
 * @param attentionHeads number of heads per down block (diffusers: num_attention_heads, which defaults to the
 *                       misnamed attention_head_dim; 8 for SD 1.5). Up blocks use the reversed list, mid the last.
 */
public record UNetConfig(int sampleSize, int inChannels, int outChannels, boolean centerInputSample,
                         boolean flipSinToCos, int freqShift, List<String> downBlockTypes, String midBlockType,
                         List<String> upBlockTypes, int[] blockOutChannels, int layersPerBlock, int downsamplePadding,
                         double midBlockScaleFactor, String actFn, int normNumGroups, double normEps,
                         int crossAttentionDim, int[] attentionHeads, int[] transformerLayersPerBlock,
                         boolean useLinearProjection, boolean upcastAttention, boolean onlyCrossAttention,
                         int timeEmbeddingDim) {

    public static final String CROSS_DOWN = "CrossAttnDownBlock2D";
    public static final String DOWN = "DownBlock2D";
    public static final String CROSS_UP = "CrossAttnUpBlock2D";
    public static final String UP = "UpBlock2D";
    public static final String MID = "UNetMidBlock2DCrossAttn";

    public UNetConfig {
        int n = blockOutChannels.length;
        if (downBlockTypes.size() != n || upBlockTypes.size() != n) {
            throw new IllegalArgumentException("UNet config: " + n + " block_out_channels but " + downBlockTypes.size()
                    + " down and " + upBlockTypes.size() + " up block types");
        }
        for (String t : downBlockTypes) {
            if (!t.equals(CROSS_DOWN) && !t.equals(DOWN)) {
                throw new IllegalArgumentException("UNet config: unsupported down block type " + t);
            }
        }
        for (String t : upBlockTypes) {
            if (!t.equals(CROSS_UP) && !t.equals(UP)) {
                throw new IllegalArgumentException("UNet config: unsupported up block type " + t);
            }
        }
        if (!MID.equals(midBlockType)) {
            throw new IllegalArgumentException("UNet config: unsupported mid block type " + midBlockType);
        }
        if (!"silu".equals(actFn)) {
            throw new IllegalArgumentException("UNet config: unsupported act_fn " + actFn);
        }
        for (int c : blockOutChannels) {
            if (c % normNumGroups != 0) {
                throw new IllegalArgumentException("UNet config: channels " + c + " not divisible by norm_num_groups " + normNumGroups);
            }
        }
        if (onlyCrossAttention) {
            throw new IllegalArgumentException("UNet config: only_cross_attention is not supported");
        }
    }

    /** Time embedding width (4 x block_out_channels[0] unless time_embedding_dim is set). */
    public int timeEmbedDim() {
        return timeEmbeddingDim > 0 ? timeEmbeddingDim : 4 * blockOutChannels[0];
    }

    public static UNetConfig read(Path file) throws IOException {
        return fromJson(ConfigJson.read(file));
    }

    public static UNetConfig fromJson(JsonNode n) {
        String c = "UNet";
        ConfigJson.requireNull(n, "class_embed_type", c);
        ConfigJson.requireNull(n, "addition_embed_type", c);
        ConfigJson.requireNull(n, "encoder_hid_dim", c);
        ConfigJson.requireNull(n, "time_cond_proj_dim", c);
        ConfigJson.requireNull(n, "time_embedding_act_fn", c);
        ConfigJson.requireNull(n, "timestep_post_act", c);
        ConfigJson.requireNull(n, "num_class_embeds", c);
        ConfigJson.requireValue(n, "resnet_time_scale_shift", "default", c);
        ConfigJson.requireValue(n, "time_embedding_type", "positional", c);
        ConfigJson.requireValue(n, "attention_type", "default", c);
        if (ConfigJson.b(n, "dual_cross_attention", false) || ConfigJson.b(n, "resnet_skip_time_act", false)
                || ConfigJson.d(n, "resnet_out_scale_factor", 1.0) != 1.0
                || ConfigJson.i(n, "conv_in_kernel", 3) != 3 || ConfigJson.i(n, "conv_out_kernel", 3) != 3) {
            throw new IllegalArgumentException("UNet config: dual_cross_attention / resnet_skip_time_act / "
                    + "resnet_out_scale_factor / conv kernels other than the SD 1.x values are not supported");
        }
        int[] boc = ConfigJson.ints(n, "block_out_channels", new int[]{320, 640, 1280, 1280});
        int blocks = boc.length;
        // diffusers: num_attention_heads = num_attention_heads or attention_head_dim (a naming quirk kept for SD 1.x)
        int[] heads = ConfigJson.present(n, "num_attention_heads")
                ? ConfigJson.intOrList(n, "num_attention_heads", 8, blocks)
                : ConfigJson.intOrList(n, "attention_head_dim", 8, blocks);
        int[] tl = ConfigJson.intOrList(n, "transformer_layers_per_block", 1, blocks);
        return new UNetConfig(
                ConfigJson.i(n, "sample_size", 64),
                ConfigJson.i(n, "in_channels", 4),
                ConfigJson.i(n, "out_channels", 4),
                ConfigJson.b(n, "center_input_sample", false),
                ConfigJson.b(n, "flip_sin_to_cos", true),
                ConfigJson.i(n, "freq_shift", 0),
                ConfigJson.strings(n, "down_block_types", List.of(CROSS_DOWN, CROSS_DOWN, CROSS_DOWN, DOWN)),
                ConfigJson.s(n, "mid_block_type", MID),
                ConfigJson.strings(n, "up_block_types", List.of(UP, CROSS_UP, CROSS_UP, CROSS_UP)),
                boc,
                ConfigJson.i(n, "layers_per_block", 2),
                ConfigJson.i(n, "downsample_padding", 1),
                ConfigJson.d(n, "mid_block_scale_factor", 1.0),
                ConfigJson.s(n, "act_fn", "silu"),
                ConfigJson.i(n, "norm_num_groups", 32),
                ConfigJson.d(n, "norm_eps", 1e-5),
                ConfigJson.i(n, "cross_attention_dim", 1280),
                heads, tl,
                ConfigJson.b(n, "use_linear_projection", false),
                ConfigJson.b(n, "upcast_attention", false),
                ConfigJson.b(n, "only_cross_attention", false),
                ConfigJson.i(n, "time_embedding_dim", 0));
    }

    /** The config as diffusers writes it (used by TinyModelFactory). */
    public ObjectNode toJson() {
        ObjectNode n = ConfigJson.object();
        n.put("_class_name", "UNet2DConditionModel");
        n.put("sample_size", sampleSize);
        n.put("in_channels", inChannels);
        n.put("out_channels", outChannels);
        n.put("center_input_sample", centerInputSample);
        n.put("flip_sin_to_cos", flipSinToCos);
        n.put("freq_shift", freqShift);
        downBlockTypes.forEach(n.putArray("down_block_types")::add);
        n.put("mid_block_type", midBlockType);
        upBlockTypes.forEach(n.putArray("up_block_types")::add);
        var b = n.putArray("block_out_channels");
        for (int v : blockOutChannels) {
            b.add(v);
        }
        n.put("layers_per_block", layersPerBlock);
        n.put("downsample_padding", downsamplePadding);
        n.put("mid_block_scale_factor", midBlockScaleFactor);
        n.put("act_fn", actFn);
        n.put("norm_num_groups", normNumGroups);
        n.put("norm_eps", normEps);
        n.put("cross_attention_dim", crossAttentionDim);
        var h = n.putArray("attention_head_dim");
        for (int v : attentionHeads) {
            h.add(v);
        }
        var t = n.putArray("transformer_layers_per_block");
        for (int v : transformerLayersPerBlock) {
            t.add(v);
        }
        n.put("use_linear_projection", useLinearProjection);
        n.put("upcast_attention", upcastAttention);
        n.put("only_cross_attention", onlyCrossAttention);
        if (timeEmbeddingDim > 0) {
            n.put("time_embedding_dim", timeEmbeddingDim);
        }
        return n;
    }

    /** SD 1.5's unet/config.json (the real file's values; spec.md section 1.2). */
    public static UNetConfig sd15() {
        return fromJson(ConfigJson.object().put("cross_attention_dim", 768));
    }

    /** A tiny config with the SD 1.5 block topology (spec.md section 9.2), widths scaled by {@code base}. */
    public static UNetConfig tiny(int base, int groups, int crossDim, int heads) {
        ObjectNode n = ConfigJson.object();
        var b = n.putArray("block_out_channels");
        b.add(base).add(2 * base).add(2 * base).add(2 * base);
        n.put("norm_num_groups", groups);
        n.put("cross_attention_dim", crossDim);
        n.put("attention_head_dim", heads);
        n.put("sample_size", 16);
        return fromJson(n);
    }
}
