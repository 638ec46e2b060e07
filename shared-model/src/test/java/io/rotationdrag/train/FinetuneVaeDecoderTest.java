package io.rotationdrag.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rotationdrag.diffusion.nn.Param;
import io.rotationdrag.diffusion.vae.AutoencoderKL;
import io.rotationdrag.synth.RotationBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinetuneVaeDecoderTest {

    @Test
    void onlyTheDecoderChangesSoTheLatentsStayValid(@TempDir Path tmp) throws Exception {
        String[] args = {"--out", tmp.resolve("train").toString(), "--seed", "5", "--size", "32", "--vae-base", "8",
                "--vae-steps", "1", "--vae-batch", "2", "--latents", "4", "--unet-base", "8", "--groups", "4",
                "--heads", "2", "--cross-dim", "16", "--text-layers", "1", "--unet-steps", "1", "--unet-batch", "2"};
        Path model = TrainEmbeddedModel.run(TrainEmbeddedModel.Options.parse(args), String.join(" ", args));
        Path out = tmp.resolve("ft");
        Path vaeOut = FinetuneVaeDecoder.run(model, out,
                new VaeTrainer.Settings(3, 2, 1e-2, 1, 0, 10, 1, 100, true, 4), 10, "test");
        assertTrue(Files.exists(out.resolve("vae_decoder_provenance.json")));
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL before = AutoencoderKL.load(model.resolve("vae"), m, DataType.FLOAT32);
             AutoencoderKL after = AutoencoderKL.load(vaeOut, m, DataType.FLOAT32)) {
            assertEquals(before.scalingFactor(), after.scalingFactor(), 0.0);
            int decoderChanged = 0, decoder = 0;
            for (Param p : before.parameters().params()) {
                float[] a = p.get().toFloatArray();
                float[] b = after.parameters().get(p.name()).get().toFloatArray();
                if (VaeTrainer.isDecoder(p.name())) {
                    decoder++;
                    decoderChanged += Arrays.equals(a, b) ? 0 : 1;
                } else {
                    assertArrayEquals(a, b, 0f, "frozen encoder parameter changed: " + p.name());
                }
            }
            assertTrue(decoder > 10 && decoderChanged > decoder / 2,
                    decoderChanged + " of " + decoder + " decoder parameters changed");
        }
        assertThrows(IllegalArgumentException.class, () -> FinetuneVaeDecoder.run(model, out,
                new VaeTrainer.Settings(1, 2, 1e-3, 1, 0, 1, 1, 1), 10, "whole VAE"));
        assertThrows(IllegalArgumentException.class, () -> FinetuneVaeDecoder.run(model, out,
                new VaeTrainer.Settings(1, 2, 1e-3, 1, 0, 1, 1, 1, true, 0), RotationBenchmark.REPORTING_SEED, "x"));
    }

    @Test
    void detailWeightsMarkAnIsolatedPixelAndItsNeighboursOnly() {
        int size = 6;
        float[] px = new float[3 * size * size];
        Arrays.fill(px, -1f);
        px[2 * size + 3] = 1f; // red channel at (x 3, y 2)
        float[] w = VaeTrainer.detailWeights(px, 1, size, 4f);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean near = Math.abs(x - 3) <= 1 && Math.abs(y - 2) <= 1;
                assertEquals(near ? 5f : 1f, w[y * size + x], 0f, "weight at " + x + "," + y);
            }
        }
        float[] flat = VaeTrainer.detailWeights(new float[3 * size * size], 1, size, 4f);
        for (float v : flat) {
            assertEquals(1f, v, 0f);
        }
        assertFalse(VaeTrainer.isDecoder("encoder.conv_in.weight"));
        assertFalse(VaeTrainer.isDecoder("quant_conv.weight"));
        assertTrue(VaeTrainer.isDecoder("post_quant_conv.weight"));
        assertTrue(VaeTrainer.isDecoder("decoder.conv_out.bias"));
    }
}
