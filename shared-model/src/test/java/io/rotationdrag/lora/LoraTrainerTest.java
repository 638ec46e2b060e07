package io.rotationdrag.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.unet.UNetRequest;
import io.rotationdrag.diffusion.vae.DiagonalGaussian;
import io.rotationdrag.edit.EditCancelledException;
import io.rotationdrag.edit.ImageOps;
import io.rotationdrag.edit.ProgressEvent;
import io.rotationdrag.edit.TinySd;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The single-image LoRA loop on a tiny SD-1.5-shaped model (64x64 image, 8x8 latent). */
class LoraTrainerTest {

    @TempDir
    static Path dir;
    static StableDiffusion sd;
    static final BufferedImage IMAGE = TinySd.image(64, 64);
    static final String PROMPT = "a photo of a cat";
    /** Small batch and a larger lr than the default so a short run on 2 busy cores shows a clear effect. */
    static final LoraOptions OPTIONS = LoraOptions.defaults().withRank(4).withBatchSize(2).withLearningRate(8e-3)
            .withSteps(8).withSeed(5);
    static LoraWeights trained;
    static final List<ProgressEvent> EVENTS = new ArrayList<>();
    static final int[] LIVE = new int[OPTIONS.steps()];

    @BeforeAll
    static void load() throws Exception {
        sd = TinySd.load(dir, 31);
        trained = new LoraTrainer(sd).train(IMAGE, PROMPT, 64, 64, OPTIONS, e -> {
            EVENTS.add(e);
            LIVE[e.step() - 1] = TinySd.liveArrays(sd.manager());
        }, () -> false);
    }

    @AfterAll
    static void close() {
        sd.close();
    }

    /**
     * Denoising loss on a fixed probe set independent of the training draws: z0 = sf * VAE mean, 4 timesteps spread
     * over [0, 1000), fixed noise; mean squared error of the noise prediction.
     */
    static double probeLoss(LoraWeights lora) {
        try (NDManager m = sd.manager().newSubManager();
             AttachedLora l = AttachedLora.attach(sd.unet(), lora, m)) {
            NDArray img = ImageOps.toTensor(IMAGE, m);
            NDArray z0 = sd.vae().encode(img).mean().mul(sd.vae().scalingFactor()).repeat(0, 4);
            int[] ts = {100, 350, 600, 850};
            NDArray noise = m.create(DiagonalGaussian.gaussian(99, (int) z0.getShape().size()), z0.getShape());
            NDArray zt = sd.scheduler().addNoise(z0, noise, ts);
            NDArray t = m.create(new float[]{100, 350, 600, 850});
            NDArray text = sd.encodePrompt(m, PROMPT);
            NDArray pred = sd.unet().forward(zt, t, text, UNetRequest.NOISE).noise();
            return pred.sub(noise).square().mean().getFloat();
        }
    }

    @Test
    void trainingReducesTheLossOnAFixedProbeSet() {
        double before = probeLoss(null);
        double after = probeLoss(trained);
        System.out.printf("LoRA probe loss before %.5f after %.5f (%d steps, batch %d, lr %g); step losses %s%n",
                before, after, OPTIONS.steps(), OPTIONS.batchSize(), OPTIONS.learningRate(),
                trained.metadata().get(LoraTrainer.META_LOSSES));
        assertTrue(after < 0.95 * before, "probe loss must drop by 5%: before " + before + ", after " + after);
        assertFalse(AttachedLora.hasDeltas(sd.unet()), "training leaves the UNet without LoRA");
        // bytes round trip: identical UNet outputs with the trained weights and with the weights read back
        LoraWeights back = LoraWeights.fromBytes(trained.toBytes());
        assertEquals(trained.layers(), back.layers());
        assertEquals(trained.metadata(), back.metadata());
        assertEquals(after, probeLoss(back), 0.0);
    }

    @Test
    void progressEventsMetadataAndNoPerStepLeak() {
        assertEquals(OPTIONS.steps(), EVENTS.size());
        for (int i = 0; i < EVENTS.size(); i++) {
            assertEquals(ProgressEvent.LORA, EVENTS.get(i).stage());
            assertEquals(i + 1, EVENTS.get(i).step());
            assertEquals(OPTIONS.steps(), EVENTS.get(i).total());
            assertTrue(EVENTS.get(i).loss() != null && EVENTS.get(i).loss() >= 0);
        }
        // the same number of live arrays after every step (AdamW moments exist from step 1 on)
        for (int i = 1; i < LIVE.length; i++) {
            assertEquals(LIVE[0], LIVE[i], "live NDArrays after step " + (i + 1) + " vs step 1: " + Arrays.toString(LIVE));
        }
        assertEquals(Integer.toString(OPTIONS.steps()), trained.metadata().get(LoraTrainer.META_STEPS));
        assertEquals(EVENTS.get(EVENTS.size() - 1).loss(),
                Double.parseDouble(trained.metadata().get(LoraTrainer.META_FINAL_LOSS)));
        assertEquals(OPTIONS.canonical(), trained.metadata().get(LoraTrainer.META_OPTIONS));
        assertEquals("64x64", trained.metadata().get(LoraTrainer.META_SIZE));
        assertEquals(32 * 4, trained.layers().size(), "q, k, v, out of all 32 attention layers");
        assertEquals(4, trained.rank());
    }

    @Test
    void sameSeedGivesIdenticalBytes() {
        LoraTrainer trainer = new LoraTrainer(sd);
        LoraOptions shortRun = OPTIONS.withSteps(2);
        int before = TinySd.liveArrays(sd.manager());
        byte[] a = trainer.train(IMAGE, PROMPT, 64, 64, shortRun, null, null).toBytes();
        assertEquals(before, TinySd.liveArrays(sd.manager()), "a finished training run leaves no array behind");
        byte[] b = trainer.train(IMAGE, PROMPT, 64, 64, shortRun, null, null).toBytes();
        assertArrayEquals(a, b, "same seed must give identical LoRA bytes");
        // another seed draws another A already at step 0
        byte[] c = trainer.train(IMAGE, PROMPT, 64, 64, shortRun.withSteps(0).withSeed(6), null, null).toBytes();
        byte[] d = trainer.train(IMAGE, PROMPT, 64, 64, shortRun.withSteps(0), null, null).toBytes();
        assertFalse(Arrays.equals(c, d), "another seed must give other weights");
    }

    @Test
    void randomCropsOfALargerImageTrainAndCancellationStopsBetweenSteps() {
        LoraTrainer trainer = new LoraTrainer(sd);
        BufferedImage wide = TinySd.image(96, 72); // cover-resize to 85x64, random 64x64 crops
        int[] seen = {0};
        EditCancelledException e = assertThrows(EditCancelledException.class, () -> trainer.train(wide, PROMPT, 64, 64,
                OPTIONS.withSteps(5), ev -> seen[0] = ev.step(), () -> seen[0] >= 1));
        assertEquals(ProgressEvent.LORA, e.stage());
        assertEquals(1, e.step(), "cancelled before the second step");
        assertFalse(AttachedLora.hasDeltas(sd.unet()), "a cancelled run detaches its LoRA");
        assertThrows(IllegalArgumentException.class, () -> trainer.train(IMAGE, PROMPT, 64, 64,
                LoraOptions.disabled(), null, null));
    }

    @Test
    void cropPutsChannelsFirstInMinusOneToOne() {
        float[] rgb = new float[3 * 3 * 2]; // 3 wide, 2 high
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = i * 10;
        }
        float[] c = LoraTrainer.crop(rgb, 3, 1, 0, 2, 2);
        // pixel (1,0) -> rgb[3..5] = 30,40,50; (2,0) -> 60,70,80; (1,1) -> 120,130,140; (2,1) -> 150,160,170
        float[] expectR = {30, 60, 120, 150};
        for (int k = 0; k < 4; k++) {
            assertEquals(expectR[k] / 127.5f - 1f, c[k], 1e-6);
            assertEquals((expectR[k] + 20) / 127.5f - 1f, c[8 + k], 1e-6);
        }
        assertEquals(new Shape(12).size(), c.length);
    }
}
