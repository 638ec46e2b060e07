package io.rotationdrag.lora;

import java.util.Arrays;

/**
 * The two matrices of one LoRA layer on a Linear W [out, in]: down A [rank, in] and up B [out, rank], row-major float32,
 * and the optional network alpha (NaN = none). The update is delta W = s * m * B A with m = alpha / rank when alpha is
 * given, else 1 (diffusers' {@code network_alphas}).
 */
public record LoraLayerWeights(String module, int rank, int in, int out, float[] down, float[] up, float alpha) {

    public LoraLayerWeights {
        if (rank < 1 || in < 1 || out < 1) {
            throw new IllegalArgumentException("LoRA layer '" + module + "': bad sizes rank " + rank + ", in " + in
                    + ", out " + out);
        }
        if (down.length != rank * in) {
            throw new IllegalArgumentException("LoRA layer '" + module + "': down has " + down.length
                    + " values, expected [" + rank + ", " + in + "]");
        }
        if (up.length != out * rank) {
            throw new IllegalArgumentException("LoRA layer '" + module + "': up has " + up.length
                    + " values, expected [" + out + ", " + rank + "]");
        }
    }

    /** m = alpha / rank when an alpha is given, else 1. */
    public double alphaFactor() {
        return Float.isNaN(alpha) ? 1.0 : alpha / rank;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoraLayerWeights l && module.equals(l.module) && rank == l.rank && in == l.in
                && out == l.out && Arrays.equals(down, l.down) && Arrays.equals(up, l.up)
                && Float.compare(alpha, l.alpha) == 0;
    }

    @Override
    public int hashCode() {
        return module.hashCode() * 31 + Arrays.hashCode(down);
    }

    @Override
    public String toString() {
        return "LoraLayerWeights[" + module + " r=" + rank + " " + in + "->" + out + "]";
    }
}
