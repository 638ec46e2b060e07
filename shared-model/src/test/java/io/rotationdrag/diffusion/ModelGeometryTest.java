package io.rotationdrag.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.diffusion.io.ConfigJson;
import io.rotationdrag.diffusion.io.UNetConfig;
import io.rotationdrag.diffusion.io.VaeConfig;
import org.junit.jupiter.api.Test;

/** The sizes diffusers derives: height = unet.sample_size x 2^(vae blocks - 1); multiples of vae x unet factors. */
class ModelGeometryTest {

    @Test
    void sd15IsMultiplesOf64AtANative512() {
        assertEquals(new ModelGeometry(64, 512), ModelGeometry.sd15());
        assertEquals(512, ModelGeometry.sd15().resolveWorkingSize(0));
        assertEquals(320, ModelGeometry.sd15().resolveWorkingSize(320));
    }

    @Test
    void theEmbeddedModelWorksAt64PixelsInMultiplesOf32() throws Exception {
        // VAE x4 (3 blocks), UNet 4 blocks (x8), unet.sample_size 16 -> 16 x 4 = 64 px
        assertEquals(new ModelGeometry(32, 64), ModelGeometry.read(EmbeddedModel.locate()));
    }

    @Test
    void theGoldenTinyModelAgreesWithItsLoadedModules() throws Exception {
        try (StableDiffusion sd = StableDiffusion.load(Golden.tinySdA())) {
            ModelGeometry loaded = ModelGeometry.of(sd.unet().config(), sd.vae().config());
            assertEquals(loaded, ModelGeometry.read(Golden.tinySdA()));
            int f = sd.vae().downscale();
            assertEquals(f * (1 << (sd.unet().config().blockOutChannels().length - 1)), loaded.sizeMultiple());
        }
    }

    @Test
    void aNativeSizeOffTheGridIsRoundedUpToIt() {
        ObjectNode unet = ConfigJson.object().put("cross_attention_dim", 768).put("sample_size", 60);
        ModelGeometry g = ModelGeometry.of(UNetConfig.fromJson(unet), VaeConfig.fromJson(ConfigJson.object()));
        assertEquals(64, g.sizeMultiple());
        assertEquals(512, g.nativeImageSize(), "60 x 8 = 480 -> 512");
        assertThrows(IllegalArgumentException.class, () -> new ModelGeometry(64, 32));
    }
}
