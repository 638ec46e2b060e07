package io.rotationdrag.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed default model: on the class path, intact against its manifest, loadable by the SD loader. */
class EmbeddedDefaultModelTest {

    @Test
    void committedModelIsOnTheClassPathMatchesItsManifestAndLoads() throws Exception {
        assertTrue(EmbeddedModel.isAvailable(), "models/" + EmbeddedModel.NAME + " missing from the class path");
        Path dir = EmbeddedModel.locate();
        List<EmbeddedModel.Entry> entries = EmbeddedModel.parseManifest(Files.readString(dir.resolve(EmbeddedModel.MANIFEST)));
        assertEquals(List.of(), EmbeddedModel.verify(dir, entries));
        long bytes = entries.stream().mapToLong(EmbeddedModel.Entry::size).sum();
        assertTrue(bytes <= 30L * 1024 * 1024, "embedded model is " + bytes + " bytes (limit 30 MiB)");
        assertTrue(entries.stream().anyMatch(e -> e.path().equals("PROVENANCE.json")));
        try (StableDiffusion sd = StableDiffusion.load(dir)) {
            assertTrue(sd.hasTextEncoder());
            int size = sd.vae().config().sampleSize();
            long[] ls = sd.latentShape(1, size, size);
            try (NDManager m = sd.manager().newSubManager()) {
                NDArray eps = sd.unet().predictNoise(m.randomNormal(new Shape(ls)), 500,
                        sd.encodePrompt(m, "a red bar on a blue body"));
                assertEquals(new Shape(ls), eps.getShape());
                for (float v : eps.toFloatArray()) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }
}
