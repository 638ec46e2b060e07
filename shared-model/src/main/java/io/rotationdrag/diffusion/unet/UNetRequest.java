package io.rotationdrag.diffusion.unet;

import java.util.Set;
import java.util.TreeSet;

/**
 * What a UNet forward should return.
 *
 * @param upBlocks indices i of up_blocks[i] whose outputs (after the block's upsampler) are wanted
 * @param noise    whether the noise prediction is needed; when false the forward stops after the last wanted up block
 */
public record UNetRequest(Set<Integer> upBlocks, boolean noise) {
    public UNetRequest {
        upBlocks = Set.copyOf(new TreeSet<>(upBlocks));
        if (!noise && upBlocks.isEmpty()) {
            throw new IllegalArgumentException("UNetRequest asks for nothing");
        }
    }

    public static final UNetRequest NOISE = new UNetRequest(Set.of(), true);

    /** Noise prediction plus the given up-block outputs (DragDiffusion: up block 2). */
    public static UNetRequest noiseAnd(Integer... upBlocks) {
        return new UNetRequest(Set.of(upBlocks), true);
    }

    /** Only the given up-block outputs; the forward stops early. */
    public static UNetRequest featuresOnly(Integer... upBlocks) {
        return new UNetRequest(Set.of(upBlocks), false);
    }
}
