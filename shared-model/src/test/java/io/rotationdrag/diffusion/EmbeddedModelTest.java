package io.rotationdrag.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedModelTest {

    private static Path fakeModel(Path root) throws Exception {
        Path m = root.resolve("src").resolve(EmbeddedModel.RESOURCE_DIR);
        Files.createDirectories(m.resolve("unet"));
        Files.writeString(m.resolve("unet/config.json"), "{\"sample_size\": 16}");
        Files.write(m.resolve("unet/diffusion_pytorch_model.safetensors"), new byte[]{1, 2, 3, 4, 5});
        Files.writeString(m.resolve("TRAINING.md"), "# how");
        EmbeddedModel.writeManifest(m);
        return m;
    }

    @Test
    void extractsFromAJarAndChecksSums(@TempDir Path tmp) throws Exception {
        Path model = fakeModel(tmp);
        Path jar = tmp.resolve("model.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String rel : List.of("MANIFEST.txt", "TRAINING.md", "unet/config.json",
                    "unet/diffusion_pytorch_model.safetensors")) {
                out.putNextEntry(new JarEntry(EmbeddedModel.RESOURCE_DIR + "/" + rel));
                out.write(Files.readAllBytes(model.resolve(rel)));
                out.closeEntry();
            }
        }
        try (URLClassLoader cl = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null)) {
            Path dir = EmbeddedModel.locate(cl, tmp.resolve("cache"));
            assertArrayEquals(new byte[]{1, 2, 3, 4, 5}, Files.readAllBytes(dir.resolve("unet/diffusion_pytorch_model.safetensors")));
            assertEquals("{\"sample_size\": 16}", Files.readString(dir.resolve("unet/config.json")));
            // second call reuses the verified copy; a corrupted copy is replaced
            assertEquals(dir, EmbeddedModel.locate(cl, tmp.resolve("cache")));
            Files.write(dir.resolve("unet/diffusion_pytorch_model.safetensors"), new byte[]{9, 9, 9, 9, 9});
            Path again = EmbeddedModel.locate(cl, tmp.resolve("cache"));
            assertArrayEquals(new byte[]{1, 2, 3, 4, 5}, Files.readAllBytes(again.resolve("unet/diffusion_pytorch_model.safetensors")));
        }
    }

    @Test
    void fileSystemResourceIsUsedInPlace(@TempDir Path tmp) throws Exception {
        Path model = fakeModel(tmp);
        try (URLClassLoader cl = new URLClassLoader(new URL[]{tmp.resolve("src").toUri().toURL()}, null)) {
            assertEquals(model.toRealPath(), EmbeddedModel.locate(cl, tmp.resolve("cache")).toRealPath());
        }
    }

    @Test
    void missingModelGivesAClearError(@TempDir Path tmp) throws Exception {
        try (URLClassLoader cl = new URLClassLoader(new URL[]{tmp.toUri().toURL()}, null)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EmbeddedModel.locate(cl, tmp.resolve("cache")));
            assertTrue(e.getMessage().contains("not on the class path"));
        }
    }

    @Test
    void manifestRejectsPathsOutsideTheModel() {
        assertThrows(IllegalStateException.class, () -> EmbeddedModel.parseManifest("abc 3 ../../etc/passwd\n"));
    }
}
