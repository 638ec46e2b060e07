package io.rotationdrag.diffusion.io;

import java.util.Arrays;

/**
 * A tensor held on the Java heap as float32 (row-major, PyTorch shape order). Moves weights and artefacts
 * between files, stages and NDArrays without an engine.
 */
public record HostTensor(String name, long[] shape, float[] data) {

    public HostTensor {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " holds " + n + " elements but data has " + data.length);
        }
    }

    public long numel() {
        return numel(shape);
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "HostTensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
