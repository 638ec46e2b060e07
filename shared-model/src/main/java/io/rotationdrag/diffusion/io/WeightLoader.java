package io.rotationdrag.diffusion.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns safetensors tensors into NDArrays with checks: every expected key must be present with exactly the
 * expected shape (a [C,C,1,1] tensor is accepted for an expected [C,C], the ldm 1x1-conv form of a linear), and
 * unexpected keys are an error unless listed as ignorable. Errors name the key and both shapes.
 */
public final class WeightLoader {
    private WeightLoader() {
    }

    /** Creates a float32 (or {@code dtype}) NDArray from a host tensor in the given manager. */
    public static NDArray toNDArray(NDManager manager, HostTensor t, DataType dtype) {
        NDArray a = OwnedArrays.of(manager, t.data(), new Shape(t.shape()), dtype == null ? DataType.FLOAT32 : dtype);
        a.setName(t.name());
        return a;
    }

    /** Copies an NDArray to the heap as float32. */
    public static HostTensor toHost(String name, NDArray a) {
        NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        HostTensor t = new HostTensor(name, a.getShape().getShape(), f.toFloatArray());
        if (f != a) {
            f.close();
        }
        return t;
    }

    /**
     * Loads the expected tensors.
     *
     * @param expected model key -> shape, in the order to load
     * @param fileKey  maps a model key to the key in the file (identity unless names differ, e.g. legacy VAE names);
     *                 may return several candidates separated by '|', the first present one is used
     * @param ignorable file keys that may be present without being expected (e.g. buffers such as position_ids)
     */
    public static Map<String, NDArray> load(SafeTensors st, NDManager manager, Map<String, long[]> expected,
                                            Function<String, String> fileKey, Set<String> ignorable, DataType dtype)
            throws IOException {
        List<String> missing = new ArrayList<>();
        List<String> used = new ArrayList<>();
        Map<String, String> resolved = new LinkedHashMap<>();
        for (var e : expected.entrySet()) {
            String found = null;
            for (String cand : fileKey.apply(e.getKey()).split("\\|")) {
                if (st.contains(cand)) {
                    found = cand;
                    break;
                }
            }
            if (found == null) {
                missing.add(e.getKey() + " " + Arrays.toString(e.getValue()));
                continue;
            }
            long[] have = st.entry(found).shape();
            if (!Arrays.equals(have, e.getValue()) && !isSqueezable(have, e.getValue())) {
                throw new IllegalArgumentException(st.source() + ": tensor '" + found + "' has shape "
                        + Arrays.toString(have) + " but the model expects " + Arrays.toString(e.getValue())
                        + (found.equals(e.getKey()) ? "" : " (model key '" + e.getKey() + "')")
                        + "; does config.json match the weights?");
            }
            resolved.put(e.getKey(), found);
            used.add(found);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(st.source() + ": " + missing.size() + " expected tensor(s) missing, e.g. "
                    + missing.subList(0, Math.min(5, missing.size())));
        }
        List<String> unexpected = new ArrayList<>(st.keys());
        unexpected.removeAll(used);
        unexpected.removeAll(ignorable);
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException(st.source() + ": " + unexpected.size()
                    + " tensor(s) not used by the model (config mismatch?), e.g. "
                    + unexpected.subList(0, Math.min(5, unexpected.size())));
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        try {
            for (var e : resolved.entrySet()) {
                HostTensor t = st.read(e.getValue());
                out.put(e.getKey(), toNDArray(manager, new HostTensor(e.getKey(), expected.get(e.getKey()), t.data()), dtype));
            }
        } catch (IOException | RuntimeException ex) {
            out.values().forEach(NDArray::close);
            throw ex;
        }
        return out;
    }

    private static boolean isSqueezable(long[] have, long[] want) {
        return want.length == 2 && have.length == 4 && have[0] == want[0] && have[1] == want[1]
                && have[2] == 1 && have[3] == 1;
    }
}
