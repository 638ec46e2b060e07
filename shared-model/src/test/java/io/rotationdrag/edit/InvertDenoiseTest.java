package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.lora.AttachedLora;
import io.rotationdrag.lora.LoraWeights;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DDIM inversion and the final denoising through the real (tiny) UNet and VAE. A short schedule keeps it quick:
 * 50-step DDIM, strength 0.06 -> n_actual = 3 inverted steps (t = 1, 21, 41), so t* = 41.
 */
class InvertDenoiseTest {

    @TempDir
    static Path dir;
    static StableDiffusion sd;
    static final BufferedImage IMAGE = TinySd.image(64, 64);
    static final String PROMPT = "a photo of a cat";
    static final InversionOptions SHORT = new InversionOptions(50, 0.06);
    static Inversion inv;
    static final List<ProgressEvent> EVENTS = new ArrayList<>();
    static final List<Integer> LIVE = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        sd = TinySd.load(dir, 41);
        inv = new DdimInverter(sd).invert(IMAGE, PROMPT, SHORT, null, e -> {
            EVENTS.add(e);
            LIVE.add(TinySd.liveArrays(sd.manager()));
        }, null);
    }

    @AfterAll
    static void close() {
        sd.close();
    }

    private static double rms(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - (b == null ? 0 : b[i]);
            s += d * d;
        }
        return Math.sqrt(s / a.length);
    }

    @Test
    void invertStageReturnsTheLatentAtTStarWithItsSchedule() {
        assertEquals(3, SHORT.actualSteps());
        assertEquals(41, inv.timestep());
        assertEquals(41, new DdimInverter(sd).timestep(SHORT));
        assertEquals(741, new DdimInverter(sd).timestep(InversionOptions.defaults()), "SD 1.5 default t* = 741");
        assertEquals(50, inv.numInferenceSteps());
        assertEquals(3, inv.actualSteps());
        assertArrayEquals(new long[]{1, 4, 8, 8}, inv.shape());
        assertEquals(64, inv.width());
        assertEquals(64, inv.height());
        assertEquals(ImageOps.sha256(PROMPT), inv.metadata().get(DdimInverter.ARTEFACT_PROMPT_HASH));
        assertEquals("false", inv.metadata().get(DdimInverter.ARTEFACT_LORA));
        // x0 is the scaled VAE mean of the image
        try (NDManager m = sd.manager().newSubManager()) {
            float[] x0 = new DdimInverter(sd).encode(IMAGE, m).toFloatArray();
            assertArrayEquals(x0, inv.imageLatent());
        }
        assertEquals(3, EVENTS.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(ProgressEvent.INVERT, EVENTS.get(i).stage());
            assertEquals(i + 1, EVENTS.get(i).step());
            assertEquals(3, EVENTS.get(i).total());
        }
        assertEquals(LIVE.get(0), LIVE.get(1), "no per-step leak");
        assertEquals(LIVE.get(0), LIVE.get(2), "no per-step leak");
        assertEquals(inv, Inversion.fromBytes(inv.toBytes()));
    }

    /**
     * Inverting 3 steps and denoising the same 3 steps with the same UNet returns x0 up to DDIM's first-order
     * mismatch (the inversion evaluates eps at x_{t-dt}, the denoising at x_t; with a constant eps the pair is exact).
     * So the residual, relative to how far the latent moved, must shrink with the step: on a 500-step schedule
     * (dt = 2) it must be below 10% and well below the 50-step schedule's (dt = 20). On the tiny random UNet
     * (whose eps is far less smooth in x than SD's) this measures about 29% at dt = 20 and 5% at dt = 2.
     */
    @Test
    void invertThenDenoiseReturnsTheStart() {
        double coarse = roundTrip(new InversionOptions(50, 0.06));
        double fine = roundTrip(new InversionOptions(500, 0.006));
        assertTrue(fine < 0.10, "500-step round trip residual " + fine + " of the move");
        assertTrue(fine < coarse / 4, "residual must shrink with the step: dt=20 " + coarse + ", dt=2 " + fine);
    }

    /** Residual rms / moved rms of a 3-step invert + denoise round trip. */
    private static double roundTrip(InversionOptions o) {
        try (NDManager m = sd.manager().newSubManager()) {
            DdimInverter inverter = new DdimInverter(sd);
            NDArray text = sd.encodePrompt(m, PROMPT);
            NDArray x0 = inverter.encode(IMAGE, m);
            NDArray z = inverter.invertLatent(x0, text, o, null, null);
            int[] ts = sd.scheduler().denoisingTimesteps(o.numInferenceSteps(), o.actualSteps());
            assertEquals(3, ts.length);
            assertEquals(inverter.timestep(o), ts[0]);
            float[] back = new Denoiser(sd).denoiseLatents(z, z, text, ts, o.numInferenceSteps(),
                    new DenoiseOptions(false, 0, 10, 16), null, null).toFloatArray();
            float[] start = x0.toFloatArray();
            double moved = rms(z.toFloatArray(), start);
            double residual = rms(back, start);
            System.out.printf("inversion round trip, %d of %d steps (t* = %d): latent moved rms %.5f, residual rms "
                    + "%.6f (%.2f%% of the move), |x0| rms %.4f%n", ts.length, o.numInferenceSteps(), ts[0], moved,
                    residual, 100 * residual / moved, rms(start, null));
            assertTrue(moved > 1e-3, "the inversion must move the latent");
            return residual / moved;
        }
    }

    /**
     * The denoise stage with the control on and edited == original gives the image of denoising the original alone
     * (the control is a no-op on identical branches), at the requested output size.
     */
    @Test
    void denoiseStageWithIdenticalBranchesEqualsPlainDenoisingAndResizes() {
        Denoiser d = new Denoiser(sd);
        List<ProgressEvent> events = new ArrayList<>();
        List<Integer> live = new ArrayList<>();
        BufferedImage withControl = d.denoise(inv, inv.latent(), PROMPT, DenoiseOptions.defaults(), null, 80, 72, e -> {
            events.add(e);
            live.add(TinySd.liveArrays(sd.manager()));
        }, null);
        BufferedImage plain = d.denoise(inv, inv.latent(), PROMPT, new DenoiseOptions(false, 0, 10, 16), null, 80, 72,
                null, null);
        assertEquals(80, withControl.getWidth());
        assertEquals(72, withControl.getHeight());
        int maxDiff = 0;
        for (int y = 0; y < 72; y++) {
            for (int x = 0; x < 80; x++) {
                int a = withControl.getRGB(x, y);
                int b = plain.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    maxDiff = Math.max(maxDiff, Math.abs(((a >> s) & 0xFF) - ((b >> s) & 0xFF)));
                }
            }
        }
        assertTrue(maxDiff <= 1, "identical branches: control on vs off differ by " + maxDiff + " levels");
        assertEquals(3, events.size());
        assertEquals(ProgressEvent.DENOISE, events.get(0).stage());
        assertEquals(3, events.get(2).step());
        assertEquals(live.get(0), live.get(2), "no per-step leak");
        assertFalse(AttachedLora.hasDeltas(sd.unet()));
    }

    @Test
    void aGivenLoraAppliesDuringTheInversionOnlyAndIsNotMixedWithAnAttachedOne() {
        LoraWeights lora = TinySd.randomLora(sd.unet(), 0.05f);
        Inversion withLora = new DdimInverter(sd).invert(IMAGE, PROMPT, SHORT, lora, null, null);
        assertEquals("true", withLora.metadata().get(DdimInverter.ARTEFACT_LORA));
        assertArrayEquals(inv.imageLatent(), withLora.imageLatent(), "the VAE does not see the LoRA");
        assertTrue(rms(withLora.latent(), inv.latent()) > 1e-4, "the LoRA must change the inverted latent");
        assertFalse(AttachedLora.hasDeltas(sd.unet()), "the stage detaches its LoRA");
        // a LoRA the caller attached is used when none is given, and refused when another one is given
        try (NDManager m = sd.manager().newSubManager();
             AttachedLora l = AttachedLora.attach(sd.unet(), lora, m)) {
            Inversion attached = new DdimInverter(sd).invert(IMAGE, PROMPT, SHORT, null, null, null);
            assertArrayEquals(withLora.latent(), attached.latent());
            assertThrows(IllegalStateException.class, () -> new DdimInverter(sd).invert(IMAGE, PROMPT, SHORT, lora,
                    null, null));
        }
    }

    @Test
    void cancellationStopsBothStagesAndWrongSizesAreRejected() {
        var e = assertThrows(EditCancelledException.class, () -> new DdimInverter(sd).invert(IMAGE, PROMPT, SHORT, null,
                null, () -> true));
        assertEquals(ProgressEvent.INVERT, e.stage());
        assertEquals(0, e.step());
        e = assertThrows(EditCancelledException.class, () -> new Denoiser(sd).denoise(inv, inv.latent(), PROMPT,
                DenoiseOptions.defaults(), null, 64, 64, null, () -> true));
        assertEquals(ProgressEvent.DENOISE, e.stage());
        assertThrows(IllegalArgumentException.class, () -> new Denoiser(sd).denoise(inv, new float[3], PROMPT,
                DenoiseOptions.defaults(), null, 64, 64, null, null));
    }
}
