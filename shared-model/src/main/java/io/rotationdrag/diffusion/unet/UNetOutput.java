package io.rotationdrag.diffusion.unet;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * Result of a UNet forward. Arrays live in the manager of the input latent.
 *
 * @param noise    predicted noise [B, out_channels, h, w], or null when not requested
 * @param upBlocks up-block index -> output of that block (after its upsampler)
 */
public record UNetOutput(NDArray noise, Map<Integer, NDArray> upBlocks) {
    public NDArray upBlock(int i) {
        NDArray a = upBlocks.get(i);
        if (a == null) {
            throw new IllegalArgumentException("up block " + i + " was not requested");
        }
        return a;
    }
}
