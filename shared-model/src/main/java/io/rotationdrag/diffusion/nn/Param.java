package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/** A named model parameter (diffusers key) with a declared shape; its NDArray is set by loading. */
public final class Param {
    private final String name;
    private final long[] shape;
    private NDArray value;

    Param(String name, long[] shape) {
        this.name = name;
        this.shape = shape.clone();
    }

    public String name() {
        return name;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public boolean isLoaded() {
        return value != null;
    }

    /** The parameter's NDArray; throws if the model was built without weights. */
    public NDArray get() {
        if (value == null) {
            throw new IllegalStateException("parameter '" + name + "' " + Arrays.toString(shape) + " has no value (model not loaded)");
        }
        return value;
    }

    /** Replaces the value (shape-checked). The caller keeps ownership of the previous value. */
    public void set(NDArray a) {
        if (!Arrays.equals(a.getShape().getShape(), shape)) {
            throw new IllegalArgumentException("parameter '" + name + "': shape " + a.getShape() + " != declared "
                    + new Shape(shape));
        }
        value = a;
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape);
    }
}
