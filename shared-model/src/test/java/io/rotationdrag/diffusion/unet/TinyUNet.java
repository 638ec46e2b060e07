package io.rotationdrag.diffusion.unet;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rotationdrag.diffusion.TinyModelFactory;

/** The tiny UNet of {@link TinyModelFactory.Spec#small()} with seeded random weights, built in memory. */
final class TinyUNet {
    private TinyUNet() {
    }

    static UNet2DConditionModel create(NDManager m, DataType dtype, long seed) {
        UNet2DConditionModel u = UNet2DConditionModel.declare(TinyModelFactory.Spec.small().unetConfig());
        u.setWeights(u.parameters().randomWeights(seed, 1.0), m, dtype);
        return u;
    }
}
