package io.rotationdrag.diffusion;

import io.rotationdrag.diffusion.io.UNetConfig;
import io.rotationdrag.diffusion.io.VaeConfig;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.vae.AutoencoderKL;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The SD 1.5 configs declare exactly the real files' tensors and the publicly reported parameter counts,
 * counted from declared shapes (nothing is allocated).
 */
class Sd15LayoutTest {

    /**
     * 859,520,964: the diffusers documentation of {@code ModelMixin.num_parameters}
     * (huggingface/diffusers, src/diffusers/models/modeling_utils.py) gives
     * {@code UNet2DConditionModel.from_pretrained("runwayml/stable-diffusion-v1-5", subfolder="unet")
     * .num_parameters(only_trainable=True) == 859520964}.
     */
    @Test
    void unetParameterCountMatchesDiffusersDocs() {
        assertEquals(859_520_964L, UNet2DConditionModel.declare(UNetConfig.sd15()).parameters().parameterCount());
    }

    /**
     * 83,653,863: {@code sum(p.numel() for p in pipe.vae.parameters())} for the SD 1.x diffusers VAE as printed in
     * public per-module audits (UNet 859,520,964 / VAE 83,653,863 / text encoder 123,060,480, total
     * 1,066,235,307), and ../shared/docs/sd15/spec.md section 10.1.
     */
    @Test
    void vaeParameterCountMatchesPublicFigure() {
        assertEquals(83_653_863L, AutoencoderKL.declare(VaeConfig.sd15()).parameters().parameterCount());
    }

    @Test
    void unetKeysAndShapesEqualTheRealFile() throws IOException {
        assertSameLayout(UNet2DConditionModel.declare(UNetConfig.sd15()).parameters().shapes(), "sd15-unet-keys.tsv");
    }

    @Test
    void vaeKeysAndShapesEqualTheRealFile() throws IOException {
        assertSameLayout(AutoencoderKL.declare(VaeConfig.sd15()).parameters().shapes(), "sd15-vae-keys.tsv");
    }

    private static void assertSameLayout(Map<String, long[]> declared, String tsv) throws IOException {
        Map<String, String> want = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Golden.sharedDir().resolve("docs/sd15").resolve(tsv))) {
            String[] f = line.split("\t");
            want.put(f[0], f[2]);
        }
        Map<String, String> got = new LinkedHashMap<>();
        declared.forEach((k, v) -> got.put(k, Arrays.toString(v)));
        assertEquals(new java.util.TreeMap<>(want), new java.util.TreeMap<>(got));
    }
}
