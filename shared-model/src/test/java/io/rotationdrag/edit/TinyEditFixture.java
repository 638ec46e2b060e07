package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.EngineOptions;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TinyModelFactory;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** A tiny model, a small test scene and a plain DDIM inversion written out from the scheduler (method.md step 2). */
public final class TinyEditFixture {

    private TinyEditFixture() {
    }

    /**
     * The tiny model with one intra-op thread: faster on busy cores for such small tensors, and reproducible bit for
     * bit (torch's parallel reductions sum in per-thread chunks, so results depend on the thread count).
     */
    public static StableDiffusion model(Path dir) throws IOException {
        return StableDiffusion.load(TinyModelFactory.write(dir.resolve("tiny"), TinyModelFactory.Spec.small(), 7),
                new EngineOptions("cpu", EngineOptions.Precision.FP32, 1));
    }

    /** 64x64 scene: grey background, a red bar from the centre to the right and a blue disc. */
    static BufferedImage scene() {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(120, 130, 140));
        g.fillRect(0, 0, 64, 64);
        g.setColor(new Color(220, 40, 30));
        g.fillRect(32, 28, 26, 8);
        g.setColor(new Color(30, 60, 220));
        g.fillOval(6, 6, 16, 16);
        g.dispose();
        return img;
    }

    /** Left half editable. */
    static BufferedImage leftHalfMask(int w, int h) {
        BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = m.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w / 2, h);
        g.dispose();
        return m;
    }

    /**
     * z0 = scale * VAE mean of the image, then n_actual inversion steps x_t = invertStep(x, UNet(x, t), t), as
     * DragDiffusion's invert(); the arrays belong to {@code m}.
     */
    static NDArray invert(StableDiffusion sd, BufferedImage work, NDArray text, InversionOptions o, NDManager m) {
        return invert(sd, ImageOps.toTensor(work, m), text, o);
    }

    /** The same from an image tensor [1, 3, H, W] in [-1, 1]; the result lives in the tensor's manager. */
    static NDArray invert(StableDiffusion sd, NDArray img, NDArray text, InversionOptions o) {
        NDArray x = sd.vae().encode(img).mode().mul(sd.vae().scalingFactor());
        DdimScheduler s = sd.scheduler();
        for (int t : s.inversionTimesteps(o.numInferenceSteps(), o.actualSteps())) {
            NDArray eps = sd.unet().predictNoise(x, t, text);
            x = s.invertStep(x, eps, t, o.numInferenceSteps());
        }
        return x;
    }

    /** x0 = scale * VAE mode of a working-size image, in {@code m}. */
    static NDArray encode(StableDiffusion sd, BufferedImage work, NDManager m) {
        return encode(sd, ImageOps.toTensor(work, m));
    }

    /** x0 of an image tensor [1, 3, H, W] in [-1, 1]. */
    static NDArray encode(StableDiffusion sd, NDArray img) {
        return sd.vae().encode(img).mode().mul(sd.vae().scalingFactor());
    }

    static int dragTimestep(StableDiffusion sd, InversionOptions o) {
        int[] ts = sd.scheduler().inversionTimesteps(o.numInferenceSteps(), o.actualSteps());
        return ts[ts.length - 1];
    }
}
