package io.rotationdrag.edit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.drag.TrackerStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drag stage's artefact: the optimised latent and how the optimisation went. Serialises to safetensors (tensor
 * {@code latent}) with everything else as JSON strings in {@code __metadata__}, so a worker stores it as it is.
 *
 * @param latent        optimised latent z at the drag timestep, row-major float32
 * @param latentShape   [1, 4, h, w]
 * @param timestep      t of the latent
 * @param tracker       tracker id that ran
 * @param trajectory    handle positions (x, y) in input-image pixels at every iteration (index 0 = initial handles;
 *                      one entry per drag handle, in the order of the request's drag pairs)
 * @param angles        signed rotation angle (degrees, counter-clockwise on screen) of each handle about its axis per
 *                      iteration; empty when the tracker has no axes
 * @param losses        loss per optimisation update
 * @param steps         optimisation updates made
 * @param stopReason    {@code REACHED}, {@code MAX_STEPS} or {@code NO_ACTIVE_HANDLE}
 * @param unetForwards  UNet forwards of the drag stage, including the rotated-source re-inversions
 * @param unetBackwards UNet backwards of the drag stage
 * @param templateForwards the part of {@code unetForwards} spent on rotated-source re-inversions
 * @param trackerStats  tracker counters (calls, rotated-feature computations, template uses, fallbacks)
 */
public record DragOutcome(float[] latent, long[] latentShape, int timestep, String tracker,
                          List<List<double[]>> trajectory, List<double[]> angles, List<Double> losses, int steps,
                          String stopReason, long unetForwards, long unetBackwards, long templateForwards,
                          TrackerStats trackerStats) {

    public static final String FORMAT = "rotationdrag-drag-outcome/1";
    static final String LATENT = "latent";
    private static final ObjectMapper JSON = new ObjectMapper();

    public DragOutcome {
        if (latent == null || latentShape == null || HostTensor.numel(latentShape) != latent.length) {
            throw new IllegalArgumentException("latent data does not match its shape "
                    + Arrays.toString(latentShape));
        }
        if (trajectory == null || trajectory.isEmpty()) {
            throw new IllegalArgumentException("the trajectory needs at least the initial handles");
        }
        trajectory = List.copyOf(trajectory.stream().map(List::copyOf).toList());
        angles = angles == null ? List.of() : List.copyOf(angles);
        losses = losses == null ? List.of() : List.copyOf(losses);
    }

    /** Handle positions after the last iteration, input-image pixels. */
    public List<double[]> finalHandles() {
        return trajectory.get(trajectory.size() - 1);
    }

    /**
     * Final position per request pair, as eval's TrackingQuality wants it: drag pairs get their tracked handle, axis
     * pairs (handle == target) their own point.
     */
    public List<double[]> finalHandlesPerPair(List<PointPair> pairs) {
        List<double[]> fin = finalHandles();
        List<double[]> out = new ArrayList<>(pairs.size());
        int k = 0;
        for (PointPair p : pairs) {
            if (p.isAxis()) {
                out.add(new double[] {p.hx(), p.hy()});
            } else {
                if (k >= fin.size()) {
                    throw new IllegalArgumentException("the outcome has " + fin.size() + " handles, the pairs more");
                }
                out.add(fin.get(k++).clone());
            }
        }
        if (k != fin.size()) {
            throw new IllegalArgumentException("the outcome has " + fin.size() + " handles, the pairs " + k);
        }
        return out;
    }

    public byte[] toBytes() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("timestep", Integer.toString(timestep));
        meta.put("tracker", tracker);
        meta.put("steps", Integer.toString(steps));
        meta.put("stop_reason", stopReason);
        meta.put("unet_forwards", Long.toString(unetForwards));
        meta.put("unet_backwards", Long.toString(unetBackwards));
        meta.put("template_forwards", Long.toString(templateForwards));
        try {
            meta.put("trajectory", JSON.writeValueAsString(trajectory));
            meta.put("angles", JSON.writeValueAsString(angles));
            meta.put("losses", JSON.writeValueAsString(losses));
            meta.put("tracker_stats", JSON.writeValueAsString(trackerStats));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write drag outcome metadata", e);
        }
        return SafeTensors.toBytes(List.of(new HostTensor(LATENT, latentShape, latent)), meta);
    }

    /** @throws IllegalArgumentException when the bytes are not a drag outcome, naming what is wrong */
    public static DragOutcome fromBytes(byte[] bytes) {
        try (SafeTensors st = SafeTensors.fromBytes(bytes)) {
            Map<String, String> m = st.metadata();
            if (!FORMAT.equals(m.get("format"))) {
                throw new IllegalArgumentException("not a drag outcome: format is '" + m.get("format")
                        + "', expected '" + FORMAT + "'");
            }
            return new DragOutcome(st.readFloats(LATENT), st.entry(LATENT).shape(), Integer.parseInt(m.get("timestep")),
                    m.get("tracker"),
                    JSON.readValue(m.get("trajectory"), new TypeReference<List<List<double[]>>>() { }),
                    JSON.readValue(m.get("angles"), new TypeReference<List<double[]>>() { }),
                    JSON.readValue(m.get("losses"), new TypeReference<List<Double>>() { }),
                    Integer.parseInt(m.get("steps")), m.get("stop_reason"), Long.parseLong(m.get("unet_forwards")),
                    Long.parseLong(m.get("unet_backwards")), Long.parseLong(m.get("template_forwards")),
                    JSON.readValue(m.get("tracker_stats"), TrackerStats.class));
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith("not a drag outcome")) {
                throw iae;
            }
            throw new IllegalArgumentException("not a readable drag outcome (" + bytes.length + " bytes): "
                    + e.getMessage(), e);
        }
    }
}
