package io.rotationdrag.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Access to ../shared/golden/tiny-sd-a (reference outputs of the public diffusers code). */
public final class Golden {
    private Golden() {
    }

    public static Path sharedDir() {
        Path p = Path.of(System.getProperty("rotationdrag.shared.dir", "../../shared"));
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("shared dir not found: " + p.toAbsolutePath()
                    + " (set -Drotationdrag.shared.dir)");
        }
        return p;
    }

    public static Path tinySdA() {
        return sharedDir().resolve("golden/tiny-sd-a");
    }

    public static NDArray load(SafeTensors st, NDManager m, String key) throws IOException {
        HostTensor t = st.read(key);
        return m.create(t.data(), new Shape(t.shape()));
    }

    /** max |a - b| over all elements (shapes must match). */
    public static double maxAbsDiff(NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new AssertionError("shape " + a.getShape() + " != " + b.getShape());
        }
        return a.sub(b).abs().max().getFloat();
    }

    public static double maxAbs(NDArray a) {
        return a.abs().max().getFloat();
    }
}
