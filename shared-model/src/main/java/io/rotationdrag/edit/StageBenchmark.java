package io.rotationdrag.edit;

import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.EngineOptions;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TinyModelFactory;
import io.rotationdrag.lora.LoraOptions;
import io.rotationdrag.lora.LoraTrainer;
import io.rotationdrag.lora.LoraWeights;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * On-demand benchmark of the edit stages this package builds (LoRA steps, inversion steps, denoising steps with
 * mutual self-attention), side by side for several intra-op thread counts in one run, with the live NDArray count
 * before and after (a leak shows as growth).
 *
 * <pre>
 *   mvn -q -o -pl shared-model exec:java -Dexec.mainClass=io.rotationdrag.edit.StageBenchmark \
 *       -Dexec.args="tiny 64 1,2"            # or: /path/to/diffusers-folder 512 2
 * </pre>
 * Arguments: model ("tiny" writes a {@link TinyModelFactory} model to a temp folder), working size (square,
 * pixels), comma-separated thread counts. Work: 3 LoRA steps (batch 4, rank 16), 5 inversion steps and 5
 * denoising steps (50-step schedule, strength 0.1, batch of 2 under the control).
 */
public final class StageBenchmark {

    private StageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String modelArg = args.length > 0 ? args[0] : "tiny";
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int[] threads = Arrays.stream((args.length > 2 ? args[2] : "1,2").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        Path folder = modelArg.equals("tiny")
                ? TinyModelFactory.write(Files.createTempDirectory("rd-bench").resolve("tiny"),
                TinyModelFactory.Spec.small(), 7)
                : Path.of(modelArg);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, ((x * 255 / size) << 16) | ((y * 255 / size) << 8) | 128);
            }
        }
        LoraOptions lora = LoraOptions.defaults().withSteps(3);
        InversionOptions inv = new InversionOptions(50, 0.1);
        System.out.printf(Locale.ROOT, "model %s, %dx%d, LoRA %d steps batch %d rank %d, inversion/denoise %d steps%n",
                folder, size, size, lora.steps(), lora.batchSize(), lora.rank(), inv.actualSteps());
        for (int t : threads) {
            try (StableDiffusion sd = StableDiffusion.load(folder, new EngineOptions("cpu",
                    EngineOptions.Precision.FP32, t))) {
                NDManager root = sd.manager();
                int live0 = root.getManagedArrays().size();
                // one untimed warm-up inversion step
                new DdimInverter(sd).invert(img, "", new InversionOptions(50, 0.02), null, null, null);
                long a = System.nanoTime();
                LoraWeights w = new LoraTrainer(sd).train(img, "a photo", size, size, lora, null, null);
                long b = System.nanoTime();
                Inversion in = new DdimInverter(sd).invert(img, "a photo", inv, w, null, null);
                long c = System.nanoTime();
                new Denoiser(sd).denoise(in, in.latent(), "a photo", DenoiseOptions.defaults(), w, size, size, null,
                        null);
                long d = System.nanoTime();
                int live1 = root.getManagedArrays().size();
                System.out.printf(Locale.ROOT, "threads %d: LoRA %.1f ms/step, inversion %.1f ms/step, denoise (batch 2, "
                                + "MSA) %.1f ms/step incl. decode; live arrays %d -> %d%n", t,
                        (b - a) / 1e6 / lora.steps(), (c - b) / 1e6 / inv.actualSteps(),
                        (d - c) / 1e6 / inv.actualSteps(), live0, live1);
            }
        }
    }
}
