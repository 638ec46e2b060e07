package io.rotationdrag.worker.drag;

import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.TinyModelFactory;
import io.rotationdrag.service.model.BaseModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Which base model a worker loads: the configured folder, else the embedded one, else a clear error. */
class BaseModelLocationTest {

    @Test
    void aConfiguredFolderIsUsedAndMustBeADiffusersFolder(@TempDir Path dir) throws Exception {
        Path model = TinyModelFactory.write(dir.resolve("m"), TinyModelFactory.Spec.small(), 3L);
        assertEquals(model, BaseModel.resolveFolder(model.toString()));
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> BaseModel.resolveFolder(dir.resolve("nope").toString()));
        assertTrue(missing.getMessage().contains("RD_MODEL_PATH") && missing.getMessage().contains("nope"));
        Files.createDirectories(dir.resolve("empty"));
        IllegalStateException notDiffusers = assertThrows(IllegalStateException.class,
                () -> BaseModel.resolveFolder(dir.resolve("empty").toString()));
        assertTrue(notDiffusers.getMessage().contains("has no unet/"), notDiffusers.getMessage());
    }

    @Test
    void withoutAFolderTheEmbeddedModelOrAnErrorNamingBothOptions() {
        if (EmbeddedModel.isAvailable()) {
            Path p = BaseModel.resolveFolder(null);
            assertTrue(Files.isDirectory(p.resolve("unet")), p.toString());
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> BaseModel.resolveFolder(" "));
            assertTrue(e.getMessage().contains("RD_MODEL_DIR") && e.getMessage().contains(EmbeddedModel.NAME),
                    e.getMessage());
        }
    }

    @Test
    void theFingerprintIsStableAndTellsEqualShapedWeightSetsApart(@TempDir Path dir) throws Exception {
        Path a = TinyModelFactory.write(dir.resolve("a"), TinyModelFactory.Spec.small(), 1L);
        Path a2 = TinyModelFactory.write(dir.resolve("a2"), TinyModelFactory.Spec.small(), 1L);
        Path b = TinyModelFactory.write(dir.resolve("b"), TinyModelFactory.Spec.small(), 2L);
        String fa = hash(BaseModel.fingerprint(a));
        assertEquals(fa, hash(BaseModel.fingerprint(a)));
        assertEquals(fa, hash(BaseModel.fingerprint(a2)), "same files, same content hash");
        assertNotEquals(fa, hash(BaseModel.fingerprint(b)), "other seed, other weights, other id");
        assertTrue(BaseModel.fingerprint(b).startsWith("b@"), "the id names the folder");
    }

    private static String hash(String id) {
        return id.substring(id.indexOf('@') + 1);
    }
}
