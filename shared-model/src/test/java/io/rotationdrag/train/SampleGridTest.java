package io.rotationdrag.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.rotationdrag.diffusion.StableDiffusion;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleGridTest {

    @Test
    void gridHasThreeBandsOfSamplesReconstructionsAndScenesAndIsSeeded(@TempDir Path tmp) throws Exception {
        String[] args = {"--out", tmp.toString(), "--seed", "5", "--size", "32", "--vae-base", "8", "--vae-steps", "1",
                "--vae-batch", "2", "--latents", "4", "--unet-base", "8", "--groups", "4", "--heads", "2",
                "--cross-dim", "16", "--text-layers", "1", "--unet-steps", "1", "--unet-batch", "2"};
        Path model = TrainEmbeddedModel.run(TrainEmbeddedModel.Options.parse(args), String.join(" ", args));
        try (StableDiffusion sd = StableDiffusion.load(model)) {
            BufferedImage a = SampleGrid.render(sd, 4, 3, 2, 2.0);
            // 4 columns x 3 bands of 32 px images at scale 2 with 4 px gaps
            assertEquals(4 * (64 + 4) + 4, a.getWidth());
            assertEquals(3 * (64 + 4) + 4, a.getHeight());
            BufferedImage b = SampleGrid.render(sd, 4, 3, 2, 2.0);
            assertEquals(rgbSum(a), rgbSum(b), "same seed, same grid");
            // the bottom band holds the rendered scenes, which differ from the samples of an untrained model
            assertNotEquals(rgbSum(crop(a, 0)), rgbSum(crop(a, 2)));
        }
    }

    private static BufferedImage crop(BufferedImage g, int band) {
        return g.getSubimage(0, band * 68, g.getWidth(), 72);
    }

    private static long rgbSum(BufferedImage img) {
        long s = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                s = s * 31 + img.getRGB(x, y);
            }
        }
        return s;
    }
}
