package io.rotationdrag.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** Tiny model written in the real layout, loaded by the same loader, compared tensor by tensor. */
class StableDiffusionLoadTest {

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void write() throws IOException {
        model = TinyModelFactory.write(dir.resolve("tiny"), TinyModelFactory.Spec.small(), 11);
    }

    @Test
    void loadsEveryTensorExactly() throws IOException {
        try (StableDiffusion sd = StableDiffusion.load(model)) {
            for (String comp : List.of("unet", "vae")) {
                List<HostTensor> loaded = comp.equals("unet") ? sd.unet().parameters().toHostTensors()
                        : sd.vae().parameters().toHostTensors();
                try (SafeTensors st = SafeTensors.open(model.resolve(comp).resolve("diffusion_pytorch_model.safetensors"))) {
                    assertEquals(st.keys().size(), loaded.size(), comp);
                    for (HostTensor t : loaded) {
                        assertEquals(st.read(t.name()), t, comp + " " + t.name());
                    }
                }
            }
            assertTrue(sd.hasTextEncoder());
            try (NDManager m = sd.manager().newSubManager()) {
                NDArray c = sd.encodePrompt(m, "a photo of a cat");
                assertArrayEquals(new long[]{1, 77, 32}, c.getShape().getShape());
            }
            assertEquals(981, sd.scheduler().timesteps(50)[0]);
            assertArrayEquals(new long[]{2, 4, 8, 8}, sd.latentShape(2, 64, 64));
        }
    }

    @Test
    void savedParametersRoundTrip() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel u = UNet2DConditionModel.load(model.resolve("unet"), m, ai.djl.ndarray.types.DataType.FLOAT32)) {
            Path out = dir.resolve("saved.safetensors");
            u.parameters().save(out);
            try (SafeTensors a = SafeTensors.open(out);
                 SafeTensors b = SafeTensors.open(model.resolve("unet/diffusion_pytorch_model.safetensors"))) {
                assertEquals(b.readAll(), a.readAll());
                assertEquals("pt", a.metadata().get("format"));
            }
        }
    }

    @Test
    void missingOrMisShapedTensorIsAClearError() throws IOException {
        Path bad = dir.resolve("bad");
        TinyModelFactory.write(bad, TinyModelFactory.Spec.small(), 12);
        Path f = bad.resolve("unet/diffusion_pytorch_model.safetensors");
        List<HostTensor> ts;
        try (SafeTensors st = SafeTensors.open(f)) {
            ts = st.readAll();
        }
        String victim = "up_blocks.2.attentions.1.transformer_blocks.0.attn1.to_k.weight";
        SafeTensors.write(f, ts.stream().filter(t -> !t.name().equals(victim)).collect(Collectors.toList()), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StableDiffusion.load(bad));
        assertTrue(e.getMessage().contains(victim) && e.getMessage().contains("missing"), e.getMessage());

        SafeTensors.write(f, ts.stream().map(t -> t.name().equals(victim)
                ? new HostTensor(victim, new long[]{t.shape()[1], t.shape()[0] / 2}, java.util.Arrays.copyOf(t.data(), t.data().length / 2))
                : t).collect(Collectors.toList()), Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> StableDiffusion.load(bad));
        assertTrue(e.getMessage().contains(victim) && e.getMessage().contains("[32, 16]")
                && e.getMessage().contains("[32, 32]"), e.getMessage());

        SafeTensors.write(f, ts, Map.of());
        StableDiffusion.load(bad).close(); // intact again
        Files.delete(bad.resolve("vae/config.json"));
        IOException io = assertThrows(IOException.class, () -> StableDiffusion.load(bad));
        assertTrue(io.getMessage().contains("config.json"), io.getMessage());
    }
}
