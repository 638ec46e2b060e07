package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The invert stage's artefact (no model needed). */
class InversionTest {

    static Inversion sample() {
        float[] z = new float[4 * 8 * 6];
        float[] x0 = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Math.sin(i * 0.37) * 3;
            x0[i] = (float) Math.cos(i * 0.11);
        }
        return new Inversion(new long[]{1, 4, 8, 6}, z, x0, 741, 50, 38, 48, 64, Map.of("lora_cache_key", "abc"));
    }

    @Test
    void bytesRoundTripExactly() {
        Inversion inv = sample();
        Inversion back = Inversion.fromBytes(inv.toBytes());
        assertEquals(inv, back);
        assertArrayEquals(inv.latent(), back.latent());
        assertArrayEquals(inv.imageLatent(), back.imageLatent());
        assertArrayEquals(new long[]{1, 4, 8, 6}, back.shape());
        assertEquals(741, back.timestep());
        assertEquals(38, back.actualSteps());
        assertEquals(48, back.width());
        assertEquals(Map.of("lora_cache_key", "abc"), back.metadata());
    }

    @Test
    void otherBytesAreRejectedWithAReason() {
        var e = assertThrows(IllegalArgumentException.class, () -> Inversion.fromBytes(new byte[]{1, 2, 3}));
        assertTrue(e.getMessage().contains("inversion"), e.getMessage());
        byte[] lora = io.rotationdrag.diffusion.io.SafeTensors.toBytes(java.util.List.of(
                new io.rotationdrag.diffusion.io.HostTensor("x", new long[]{1}, new float[]{1})), Map.of("format", "x"));
        e = assertThrows(IllegalArgumentException.class, () -> Inversion.fromBytes(lora));
        assertTrue(e.getMessage().contains("format"), e.getMessage());
    }

    @Test
    void inconsistentFieldsAreRejected() {
        Inversion s = sample();
        assertThrows(IllegalArgumentException.class, () -> new Inversion(new long[]{1, 4, 8, 5}, s.latent(),
                s.imageLatent(), 741, 50, 38, 48, 64, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Inversion(s.shape(), s.latent(), s.imageLatent(), 741,
                50, 51, 48, 64, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> s.withMetadata(Map.of("inv.timestep", "1")));
    }
}
