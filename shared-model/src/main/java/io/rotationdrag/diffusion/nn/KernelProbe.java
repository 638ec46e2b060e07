package io.rotationdrag.diffusion.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.Function;

/**
 * Measures one op's float32 gradients against the same op in float64 on identical inputs (the float32 values,
 * widened): for L = sum(R * f(x, p...)) with a fixed random R, the relative error max|g32 - g64| / max|g64| of
 * dL/dx and of dL/dp for each parameter. float64 is the reference because the defect under test is in float32
 * kernels only (the float64 UNet gradient agrees with central differences to 1e-6, UNetGradientTest); a healthy
 * float32 backward stays near 1e-6, a broken one is off by O(1) or NaN. NaN counts as an error of +inf.
 */
public final class KernelProbe {
    /** What a float32 backward must reach to count as correct (accumulation error is ~1e-6 relative). */
    public static final double TOLERANCE = 1e-4;

    private KernelProbe() {
    }

    /** An op under test: given its arrays (input first, then parameters), its output. */
    @FunctionalInterface
    public interface Op extends Function<NDArray[], NDArray> {
    }

    /**
     * The worst relative error over {@code repeats} float32 runs (the defect was intermittent), per argument:
     * element i is the error of dL/d(arg i).
     */
    public static double[] relativeGradientErrors(NDManager parent, Shape[] shapes, Op op, long seed, int repeats) {
        Random r = new Random(seed);
        float[][] data = new float[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            data[i] = gauss(r, shapes[i].size());
        }
        double[][] ref = gradients(parent, shapes, data, op, DataType.FLOAT64, seed);
        double[] worst = new double[shapes.length];
        for (int k = 0; k < repeats; k++) {
            double[][] g = gradients(parent, shapes, data, op, DataType.FLOAT32, seed);
            for (int i = 0; i < shapes.length; i++) {
                worst[i] = Math.max(worst[i], relErr(g[i], ref[i]));
            }
        }
        return worst;
    }

    /** Float64 gradients of L = sum(R * op(args)) w.r.t. every argument, computed in {@code dtype}. */
    static double[][] gradients(NDManager parent, Shape[] shapes, float[][] data, Op op, DataType dtype, long seed) {
        try (NDManager m = parent.newSubManager()) {
            NDArray[] args = new NDArray[shapes.length];
            for (int i = 0; i < shapes.length; i++) {
                args[i] = OwnedArrays.of(m, data[i], shapes[i], dtype);
                args[i].setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = op.apply(args);
                NDArray w = OwnedArrays.of(m, gauss(new Random(seed ^ 0x5DEECE66DL), y.getShape().size()),
                        y.getShape(), dtype);
                gc.backward(y.mul(w).sum());
            }
            double[][] g = new double[shapes.length][];
            for (int i = 0; i < shapes.length; i++) {
                g[i] = args[i].getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
            }
            return g;
        }
    }

    /** max|a - b| / max|b|; +inf when a holds a non-finite value. */
    public static double relErr(double[] a, double[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                return Double.POSITIVE_INFINITY;
            }
            num = Math.max(num, Math.abs(a[i] - b[i]));
            den = Math.max(den, Math.abs(b[i]));
        }
        return den == 0 ? num : num / den;
    }

    /** Standard normal floats from {@code r} (tests and benchmarks share the probes' inputs). */
    public static float[] gaussForTests(Random r, long n) {
        return gauss(r, n);
    }

    static float[] gauss(Random r, long n) {
        float[] d = new float[Math.toIntExact(n)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return d;
    }

    /** A convolution probe: input [batch,in,size,size], weight [out,in,k,k], bias [out]. */
    public record ConvShape(String where, int batch, int in, int out, int kernel, int stride, int pad, int size) {
        public ConvShape(String where, int in, int out, int kernel, int stride, int pad, int size) {
            this(where, 1, in, out, kernel, stride, pad, size);
        }

        public Shape[] shapes() {
            return new Shape[]{new Shape(batch, in, size, size), new Shape(out, in, kernel, kernel), new Shape(out)};
        }

        /** Errors of dL/dx, dL/dW, dL/db through the raw libtorch kernel or through {@link ConvGuard}. */
        public double[] errors(NDManager m, boolean guarded, long seed, int repeats) {
            Op op = guarded
                    ? a -> ConvGuard.conv2d(a[0], a[1], a[2], stride, pad)
                    : a -> ConvGuard.raw(a[0], a[1], a[2], stride, pad);
            return relativeGradientErrors(m, shapes(), op, seed, repeats);
        }

        public String label() {
            return String.format("%4d->%-4d k%d s%d p%d %3dpx b%d", in, out, kernel, stride, pad, size, batch);
        }
    }
}
