package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The artefact of the invert stage (method.md stage 2), plain Java data so it can cross a stage boundary:
 * the DDIM-inverted latent z_t at the inversion timestep t (the drag's optimisation variable and the "original"
 * branch of the final denoising), the scaled image latent x0 it was inverted from, and the schedule facts the
 * later stages need. The text embedding is not stored: it is recomputed from the prompt (cheap and deterministic).
 *
 * <p>{@link #toBytes()} writes safetensors with tensors {@code latent} and {@code image_latent} (float32, [1,4,h,w])
 * and the scalars in {@code __metadata__} (string values, as the format requires).
 *
 * @param shape             latent shape, [1, 4, h, w] (h = height / 8)
 * @param latent            z_t, row-major, scaled latent space (already multiplied by the VAE scaling factor)
 * @param imageLatent       x0 = scaling_factor * VAE mean of the working image, same shape
 * @param timestep          t, the DDIM timestep of {@code latent} (741 for 50 steps at strength 0.75)
 * @param numInferenceSteps DDIM schedule length n (50)
 * @param actualSteps       n_actual = round(strength * n) inverted steps (38)
 * @param width             working image width in pixels (= 8 * w)
 * @param height            working image height in pixels
 * @param metadata          free-form strings (prompt hash, LoRA cache key, ...); keys must not start with "inv."
 */
public record Inversion(long[] shape, float[] latent, float[] imageLatent, int timestep, int numInferenceSteps,
                        int actualSteps, int width, int height, Map<String, String> metadata) {

    public static final String FORMAT = "rotationdrag-inversion/1";
    static final String PREFIX = "inv.";
    static final String KEY_LATENT = "latent";
    static final String KEY_IMAGE_LATENT = "image_latent";

    public Inversion {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(latent, "latent");
        Objects.requireNonNull(imageLatent, "imageLatent");
        shape = shape.clone();
        long n = HostTensor.numel(shape);
        if (shape.length != 4 || shape[0] != 1 || latent.length != n || imageLatent.length != n) {
            throw new IllegalArgumentException("inversion latents must be [1,C,h,w] with matching data; shape "
                    + Arrays.toString(shape) + ", latent " + latent.length + ", image latent " + imageLatent.length);
        }
        if (numInferenceSteps < 1 || actualSteps < 1 || actualSteps > numInferenceSteps || timestep < 0) {
            throw new IllegalArgumentException("invalid inversion schedule: t " + timestep + ", n "
                    + numInferenceSteps + ", n_actual " + actualSteps);
        }
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("invalid working size " + width + "x" + height);
        }
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata == null ? Map.of() : metadata));
        for (String k : metadata.keySet()) {
            if (k.startsWith(PREFIX) || k.equals(SafeTensorsFormat.KEY)) {
                throw new IllegalArgumentException("metadata key '" + k + "' is reserved");
            }
        }
    }

    /** Builds the artefact from engine tensors (copied to the heap; the arrays stay owned by the caller). */
    public static Inversion of(NDArray latentAtT, NDArray imageLatent, int timestep, int numInferenceSteps,
                               int actualSteps, int width, int height, Map<String, String> metadata) {
        return new Inversion(latentAtT.getShape().getShape(), floats(latentAtT), floats(imageLatent), timestep,
                numInferenceSteps, actualSteps, width, height, metadata);
    }

    private static float[] floats(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, true).toFloatArray();
    }

    /** z_t as a new float32 array in {@code m}. */
    public NDArray latent(NDManager m) {
        return OwnedArrays.of(m, latent, new Shape(shape));
    }

    /** x0 (scaled image latent) as a new float32 array in {@code m}. */
    public NDArray imageLatent(NDManager m) {
        return OwnedArrays.of(m, imageLatent, new Shape(shape));
    }

    public Inversion withMetadata(Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.putAll(extra);
        return new Inversion(shape, latent, imageLatent, timestep, numInferenceSteps, actualSteps, width, height, m);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public byte[] toBytes() {
        List<HostTensor> ts = new ArrayList<>();
        ts.add(new HostTensor(KEY_LATENT, shape, latent));
        ts.add(new HostTensor(KEY_IMAGE_LATENT, shape, imageLatent));
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(SafeTensorsFormat.KEY, FORMAT);
        meta.put(PREFIX + "timestep", Integer.toString(timestep));
        meta.put(PREFIX + "num_inference_steps", Integer.toString(numInferenceSteps));
        meta.put(PREFIX + "actual_steps", Integer.toString(actualSteps));
        meta.put(PREFIX + "width", Integer.toString(width));
        meta.put(PREFIX + "height", Integer.toString(height));
        return SafeTensors.toBytes(ts, meta);
    }

    /**
     * Reads {@link #toBytes()} output.
     *
     * @throws IllegalArgumentException for bytes that are not an inversion artefact, naming what is missing
     */
    public static Inversion fromBytes(byte[] bytes) {
        try (SafeTensors st = SafeTensors.fromBytes(bytes)) {
            Map<String, String> meta = new LinkedHashMap<>(st.metadata());
            String format = meta.remove(SafeTensorsFormat.KEY);
            if (!FORMAT.equals(format)) {
                throw new IllegalArgumentException("not an inversion artefact: format '" + format + "', expected '"
                        + FORMAT + "'");
            }
            for (String k : List.of(KEY_LATENT, KEY_IMAGE_LATENT)) {
                if (!st.contains(k)) {
                    throw new IllegalArgumentException("inversion artefact has no tensor '" + k + "'");
                }
            }
            int t = intMeta(meta, "timestep");
            int n = intMeta(meta, "num_inference_steps");
            int na = intMeta(meta, "actual_steps");
            int w = intMeta(meta, "width");
            int h = intMeta(meta, "height");
            meta.keySet().removeIf(k -> k.startsWith(PREFIX));
            return new Inversion(st.entry(KEY_LATENT).shape(), st.readFloats(KEY_LATENT), st.readFloats(KEY_IMAGE_LATENT),
                    t, n, na, w, h, meta);
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a readable inversion artefact (" + bytes.length + " bytes): "
                    + e.getMessage(), e);
        }
    }

    private static int intMeta(Map<String, String> meta, String key) {
        String v = meta.get(PREFIX + key);
        if (v == null) {
            throw new IllegalArgumentException("inversion artefact has no metadata '" + PREFIX + key + "'");
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("inversion metadata '" + PREFIX + key + "' is not an integer: " + v);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Inversion i && Arrays.equals(shape, i.shape) && Arrays.equals(latent, i.latent)
                && Arrays.equals(imageLatent, i.imageLatent) && timestep == i.timestep
                && numInferenceSteps == i.numInferenceSteps && actualSteps == i.actualSteps && width == i.width
                && height == i.height && metadata.equals(i.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(shape), Arrays.hashCode(latent), timestep, numInferenceSteps, actualSteps,
                width, height);
    }

    @Override
    public String toString() {
        return "Inversion[t=" + timestep + ", n=" + numInferenceSteps + ", n_actual=" + actualSteps + ", shape "
                + Arrays.toString(shape) + ", " + width + "x" + height + "]";
    }

    /** The metadata key naming an artefact's format (shared by the edit artefacts). */
    static final class SafeTensorsFormat {
        static final String KEY = "format";

        private SafeTensorsFormat() {
        }
    }
}
