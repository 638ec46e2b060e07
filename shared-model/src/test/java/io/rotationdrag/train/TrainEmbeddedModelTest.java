package io.rotationdrag.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.io.ConfigJson;
import io.rotationdrag.synth.RotationBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainEmbeddedModelTest {

    private static String[] tinyArgs(Path out, long seed) {
        return new String[]{"--out", out.toString(), "--seed", Long.toString(seed), "--size", "32",
                "--vae-base", "8", "--vae-steps", "2", "--vae-batch", "2", "--latents", "6", "--unet-base", "8",
                "--groups", "4", "--heads", "2", "--cross-dim", "16", "--text-layers", "1", "--unet-steps", "3",
                "--unet-batch", "2", "--log-every", "1", "--checkpoint-every", "2"};
    }

    @Test
    void tinyRunWritesAFolderTheEngineLoadsWithManifestAndProvenance(@TempDir Path tmp) throws Exception {
        String[] args = tinyArgs(tmp, 11);
        Path model = TrainEmbeddedModel.run(TrainEmbeddedModel.Options.parse(args), String.join(" ", args));
        for (String f : List.of("model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                "vae/config.json", "vae/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors",
                "tokenizer/vocab.json", "scheduler/scheduler_config.json", "PROVENANCE.json", "MANIFEST.txt")) {
            assertTrue(Files.isRegularFile(model.resolve(f)), f);
        }
        JsonNode prov = ConfigJson.read(model.resolve("PROVENANCE.json"));
        assertEquals(2, prov.get("vae").get("steps").asInt());
        assertEquals(3, prov.get("unet").get("steps").asInt());
        assertEquals(RotationBenchmark.REPORTING_SEED, prov.get("benchmark_seed_never_used_in_training").asLong());
        assertTrue(Files.isRegularFile(tmp.resolve("unet_loss.png")) && Files.isRegularFile(tmp.resolve("vae_loss.csv")));
        // the manifest lists every file with its size (sha256 checked by EmbeddedModel on extraction)
        List<String> lines = Files.readAllLines(model.resolve("MANIFEST.txt"));
        for (String line : lines) {
            String[] f = line.split(" ", 3);
            assertEquals(Long.parseLong(f[1]), Files.size(model.resolve(f[2])), f[2]);
        }
        try (StableDiffusion sd = StableDiffusion.load(model)) {
            double scaling = prov.get("scaling_factor").asDouble();
            assertEquals(scaling, sd.vae().scalingFactor(), 1e-12);
            assertTrue(scaling > 0 && Double.isFinite(scaling));
            long[] ls = sd.latentShape(1, 32, 32);
            assertEquals(8, ls[2], "x4 VAE: 32 px -> 8 latent cells");
            try (NDManager m = sd.manager().newSubManager()) {
                NDArray eps = sd.unet().predictNoise(m.randomNormal(new ai.djl.ndarray.types.Shape(ls)), 500,
                        sd.encodePrompt(m, "a red bar on a blue body"));
                for (float v : eps.toFloatArray()) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }

    @Test
    void refusesTheReportingSeedAndUnknownOptions(@TempDir Path tmp) {
        assertThrows(IllegalArgumentException.class,
                () -> TrainEmbeddedModel.Options.parse(tinyArgs(tmp, RotationBenchmark.REPORTING_SEED)));
        assertThrows(IllegalArgumentException.class,
                () -> TrainEmbeddedModel.Options.parse(tinyArgs(tmp, RotationBenchmark.REPORTING_SEED - 1)),
                "seed + 1 draws the latent scenes, so it must not be the reporting seed either");
        assertThrows(IllegalArgumentException.class,
                () -> TrainEmbeddedModel.Options.parse(new String[]{"--out", tmp.toString(), "--bogus", "1"}));
        assertThrows(IllegalArgumentException.class, () -> TrainEmbeddedModel.Options.parse(new String[]{}));
        assertTrue(EmbeddedModel.NAME.startsWith("rd-synth"));
    }

    @Test
    void theUnetNoiseStreamDefaultsToSeedPlusThreeAndCanBeChosen(@TempDir Path tmp) {
        String out = tmp.toString();
        assertEquals(11L, TrainEmbeddedModel.Options.parse(new String[]{"--out", out, "--seed", "8"}).unetNoiseSeed());
        var o = TrainEmbeddedModel.Options.parse(new String[]{"--out", out, "--seed", "8", "--unet-noise-seed", "61"});
        assertEquals(61L, o.unetNoiseSeed());
        assertEquals(8L, o.seed(), "the scene seeds stay those of --seed");
    }
}
