package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.drag.Rotation;
import java.util.Random;

/**
 * The rotated source's noisy latent at t in one step, without a DDIM inversion ({@link CachedTemplateSource#ONE_STEP}).
 *
 * <p>The source's inversion gives z_t and x0 (scaled VAE latent). Reading z_t as a forward-process sample
 * z_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, the noise it implies is
 * <pre>
 *   eps_hat = (z_t - sqrt(abar_t) x0) / sqrt(1 - abar_t)
 * </pre>
 * The rotated source gets the same noise turned with its content (so each content location keeps its own noise):
 * <pre>
 *   z_t_rot = sqrt(abar_t) x0_rot + sqrt(1 - abar_t) R_a(eps_hat)
 *           = z_t + sqrt(abar_t) (x0_rot - x0) + sqrt(1 - abar_t) (R_a(eps_hat) - eps_hat)
 * </pre>
 * computed in the second, algebraically equal form so that a = 0 with x0_rot = x0 returns z_t bit for bit.
 * R_a rotates the latent grid about its centre ((w-1)/2, (h-1)/2) by a, the same convention and centre as
 * {@link Rotation#rotate(java.awt.image.BufferedImage, double, Rotation.Interpolation, int)} on the image (latent
 * cell k covers image pixels [8k, 8k+8)). Nearest-neighbour, so the rotated noise keeps unit variance per element
 * (bilinear would average neighbours and shrink it); cells whose source lies outside the grid (the corners) get
 * fresh N(0, 1) noise from {@code seed}, since a noise-free corner would be far outside the UNet's training
 * distribution at t.
 *
 * <p>Why it is a fair stand-in: for a rotation, DDIM inversion is nearly equivariant away from the borders
 * (the UNet is convolutional; its attention is permutation-equivariant), so inverting R_a(image) gives roughly
 * R_a(z_t); x0_rot = VAE(R_a(image)) keeps the rotated content exact (and the grey fill), R_a(eps_hat) keeps its
 * noise. The tracker only reads the features at the rotated initial handle, where both hold.
 */
final class OneStepRotatedLatent {

    private OneStepRotatedLatent() {
    }

    /**
     * @param zt       the source's inverted latent [1, 4, h, w]
     * @param x0       the source's scaled VAE latent, same shape
     * @param x0Rot    the rotated source's scaled VAE latent, same shape
     * @param alphaBar abar_t of the drag timestep, in (0, 1)
     * @param degrees  rotation (counter-clockwise on screen), the one applied to the source image
     * @param seed     seed of the fill noise of uncovered corner cells
     * @return z_t_rot in float32, in {@code zt}'s manager
     */
    static NDArray latent(NDArray zt, NDArray x0, NDArray x0Rot, double alphaBar, double degrees, long seed) {
        if (!(alphaBar > 0 && alphaBar < 1)) {
            throw new IllegalArgumentException("alpha_bar_t must be in (0, 1), got " + alphaBar);
        }
        if (!zt.getShape().equals(x0.getShape()) || !zt.getShape().equals(x0Rot.getShape())) {
            throw new IllegalArgumentException("z_t " + zt.getShape() + ", x0 " + x0.getShape() + " and x0_rot "
                    + x0Rot.getShape() + " must have the same shape");
        }
        NDManager out = zt.getManager();
        try (NDManager m = out.newSubManager()) {
            NDArray z = own(zt, m);
            NDArray a = own(x0, m);
            NDArray ar = own(x0Rot, m);
            float sa = (float) Math.sqrt(alphaBar);
            float sn = (float) Math.sqrt(1 - alphaBar);
            NDArray eps = OwnedArrays.div(z.sub(OwnedArrays.mul(a, sa)), sn);
            NDArray epsRot = rotatedNoise(eps, degrees, seed);
            NDArray r = z.add(OwnedArrays.mul(ar.sub(a), sa)).add(OwnedArrays.mul(epsRot.sub(eps), sn));
            r.attach(out);
            return r;
        }
    }

    /** R_a(eps) by nearest-neighbour gather; uncovered cells get N(0, 1) from {@code seed}. */
    static NDArray rotatedNoise(NDArray eps, double degrees, long seed) {
        NDManager m = eps.getManager();
        NDArray rotated = Rotation.rotate(eps, degrees, Rotation.Interpolation.NEAREST, 0f);
        // the validity mask of the same rotation: 1 where the cell has a source inside the grid
        NDArray valid = Rotation.rotate(m.ones(eps.getShape()), degrees, Rotation.Interpolation.NEAREST, 0f);
        float[] v = valid.toFloatArray();
        boolean uncovered = false;
        for (float x : v) {
            if (x < 0.5f) {
                uncovered = true;
                break;
            }
        }
        if (!uncovered) {
            return rotated;
        }
        Random rnd = new Random(seed);
        float[] fill = new float[v.length];
        for (int k = 0; k < fill.length; k++) {
            fill[k] = (float) rnd.nextGaussian();
        }
        NDArray noise = OwnedArrays.of(m, fill, eps.getShape());
        return rotated.add(noise.mul(valid.neg().add(1f)));
    }

    private static NDArray own(NDArray x, NDManager m) {
        NDArray f = x.toType(DataType.FLOAT32, true);
        f.attach(m);
        return f;
    }
}
