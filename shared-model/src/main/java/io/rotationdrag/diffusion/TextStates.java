package io.rotationdrag.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.util.Arrays;

/**
 * Where the text states (the UNet's encoder_hidden_states [1, M, D]) of a prompt come from. {@link #of} runs the
 * model's own CLIP text encoder; {@link #fixed} returns the same states for every prompt, for models without a text
 * encoder (e.g. the golden {@code tiny-sd-a}, whose reference runs used a stand-in encoder returning fixed states)
 * or to replay a run whose states are known.
 */
@FunctionalInterface
public interface TextStates {

    /** The states of {@code prompt} ("" = unconditional), created in {@code m}. */
    NDArray encode(NDManager m, String prompt);

    /** The model's text encoder (fails, naming the folder, when the model has none). */
    static TextStates of(StableDiffusion model) {
        return model::encodePrompt;
    }

    /**
     * The same states for every prompt.
     *
     * @param states row-major float32 values, copied
     * @param shape  [1, M, D]
     */
    static TextStates fixed(float[] states, long[] shape) {
        if (shape == null || shape.length != 3 || shape[0] != 1) {
            throw new IllegalArgumentException("text states shape must be [1, M, D], got " + Arrays.toString(shape));
        }
        long n = shape[0] * shape[1] * shape[2];
        if (states == null || states.length != n) {
            throw new IllegalArgumentException("text states: " + (states == null ? 0 : states.length)
                    + " values for shape " + Arrays.toString(shape));
        }
        float[] copy = states.clone();
        long[] s = shape.clone();
        return (m, prompt) -> OwnedArrays.of(m, copy, new Shape(s));
    }
}
