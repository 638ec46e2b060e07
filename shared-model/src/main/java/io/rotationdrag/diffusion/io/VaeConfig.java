package io.rotationdrag.diffusion.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

/** The fields of diffusers' {@code AutoencoderKL} config (SD 1.x VAE). scaling_factor defaults to 0.18215. */
public record VaeConfig(int inChannels, int outChannels, List<String> downBlockTypes, List<String> upBlockTypes,
                        int[] blockOutChannels, int layersPerBlock, String actFn, int latentChannels,
                        int normNumGroups, int sampleSize, double scalingFactor, boolean useQuantConv,
                        boolean usePostQuantConv, boolean midBlockAddAttention) {

    public VaeConfig {
        int n = blockOutChannels.length;
        if (downBlockTypes.size() != n || upBlockTypes.size() != n) {
            throw new IllegalArgumentException("VAE config: block type lists do not match block_out_channels");
        }
        if (!downBlockTypes.stream().allMatch("DownEncoderBlock2D"::equals)
                || !upBlockTypes.stream().allMatch("UpDecoderBlock2D"::equals)) {
            throw new IllegalArgumentException("VAE config: only DownEncoderBlock2D / UpDecoderBlock2D are supported, got "
                    + downBlockTypes + " / " + upBlockTypes);
        }
        if (!"silu".equals(actFn)) {
            throw new IllegalArgumentException("VAE config: unsupported act_fn " + actFn);
        }
    }

    public static VaeConfig read(Path file) throws IOException {
        return fromJson(ConfigJson.read(file));
    }

    public static VaeConfig fromJson(JsonNode n) {
        ConfigJson.requireNull(n, "shift_factor", "VAE");
        ConfigJson.requireNull(n, "latents_mean", "VAE");
        int[] boc = ConfigJson.ints(n, "block_out_channels", new int[]{128, 256, 512, 512});
        return new VaeConfig(
                ConfigJson.i(n, "in_channels", 3),
                ConfigJson.i(n, "out_channels", 3),
                ConfigJson.strings(n, "down_block_types", Collections.nCopies(boc.length, "DownEncoderBlock2D")),
                ConfigJson.strings(n, "up_block_types", Collections.nCopies(boc.length, "UpDecoderBlock2D")),
                boc,
                ConfigJson.i(n, "layers_per_block", 2),
                ConfigJson.s(n, "act_fn", "silu"),
                ConfigJson.i(n, "latent_channels", 4),
                ConfigJson.i(n, "norm_num_groups", 32),
                ConfigJson.i(n, "sample_size", 512),
                ConfigJson.d(n, "scaling_factor", 0.18215),
                ConfigJson.b(n, "use_quant_conv", true),
                ConfigJson.b(n, "use_post_quant_conv", true),
                ConfigJson.b(n, "mid_block_add_attention", true));
    }

    public ObjectNode toJson() {
        ObjectNode n = ConfigJson.object();
        n.put("_class_name", "AutoencoderKL");
        n.put("in_channels", inChannels);
        n.put("out_channels", outChannels);
        downBlockTypes.forEach(n.putArray("down_block_types")::add);
        upBlockTypes.forEach(n.putArray("up_block_types")::add);
        var b = n.putArray("block_out_channels");
        for (int v : blockOutChannels) {
            b.add(v);
        }
        n.put("layers_per_block", layersPerBlock);
        n.put("act_fn", actFn);
        n.put("latent_channels", latentChannels);
        n.put("norm_num_groups", normNumGroups);
        n.put("sample_size", sampleSize);
        n.put("scaling_factor", scalingFactor);
        n.put("use_quant_conv", useQuantConv);
        n.put("use_post_quant_conv", usePostQuantConv);
        n.put("mid_block_add_attention", midBlockAddAttention);
        return n;
    }

    /** SD 1.5's vae/config.json values (spec.md section 1.3). */
    public static VaeConfig sd15() {
        return fromJson(ConfigJson.object());
    }

    /** A tiny VAE with 4 blocks (x8 down-sampling like SD), widths (base, 2base, 4base, 4base). */
    public static VaeConfig tiny(int base, int groups) {
        ObjectNode n = ConfigJson.object();
        n.putArray("block_out_channels").add(base).add(2 * base).add(4 * base).add(4 * base);
        n.put("norm_num_groups", groups);
        n.put("sample_size", 64);
        return fromJson(n);
    }
}
