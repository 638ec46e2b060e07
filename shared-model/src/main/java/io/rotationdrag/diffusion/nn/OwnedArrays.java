package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;

/**
 * NDArrays from Java data, and arithmetic with Java numbers, whose memory libtorch owns.
 *
 * <p>Why: on the CPU, DJL 0.36's PyTorch engine wraps Java data ({@code NDManager.create(float[])}, and the
 * {@code Number} overloads such as {@code mul(2f)}, which create and close a scalar array) with {@code from_blob}
 * over a direct ByteBuffer that only the Java array object keeps alive. Once that object is closed, the next GC
 * frees the buffer, yet autograd may still hold the tensor: {@code y = x.mul(2f)} saves the scalar for
 * {@code dy/dx}, so a backward after a GC reads freed memory and returns garbage gradients (measured: 8.0e-41 and
 * -1.7e30 instead of 2; drag results that changed from run to run and a NaN loss, see
 * {@code OwnedArraysTest}). The arrays made here are copies in libtorch's own memory ({@code clone}, or
 * {@code full} for scalars), so what autograd saves stays valid however the Java side is collected.
 *
 * <p>Rule for engine code: Java data enters through {@link #of}; {@code mul} and {@code div} (and their in-place
 * forms) by a Java number go through the methods here. ({@code add}/{@code sub} by a number are safe: their
 * backward saves no operand; comparisons and {@code clip} produce no saved scalar tensor.)
 */
public final class OwnedArrays {

    private OwnedArrays() {
    }

    /** A 0-d array of {@code value} in {@code dtype}, allocated by libtorch. */
    public static NDArray scalar(NDManager m, double value, DataType dtype) {
        if (dtype != DataType.FLOAT64) {
            return m.full(new Shape(), (float) value, dtype);
        }
        // full() takes a float; a float64 scalar keeps its value through a staged copy
        return staged(m, 8, b -> b.putDouble(0, value), new Shape(), DataType.FLOAT64);
    }

    public static NDArray of(NDManager m, float[] data, Shape shape) {
        return staged(m, 4L * data.length, b -> b.asFloatBuffer().put(data), shape, DataType.FLOAT32);
    }

    public static NDArray of(NDManager m, float[] data) {
        return of(m, data, new Shape(data.length));
    }

    public static NDArray of(NDManager m, long[] data, Shape shape) {
        return staged(m, 8L * data.length, b -> b.asLongBuffer().put(data), shape, DataType.INT64);
    }

    public static NDArray of(NDManager m, long[] data) {
        return of(m, data, new Shape(data.length));
    }

    public static NDArray of(NDManager m, int[] data, Shape shape) {
        return staged(m, 4L * data.length, b -> b.asIntBuffer().put(data), shape, DataType.INT32);
    }

    /** {@code of(m, data, shape)} converted to {@code dtype} (one copy when the type differs). */
    public static NDArray of(NDManager m, float[] data, Shape shape, DataType dtype) {
        NDArray owned = of(m, data, shape);
        if (dtype == DataType.FLOAT32) {
            return owned;
        }
        try {
            return owned.toType(dtype, false);
        } finally {
            owned.close();
        }
    }

    /**
     * The 0-d operand for arithmetic on {@code a}: float32 for float32/float16/bfloat16 arrays (torch reads a 0-d
     * operand in the op's float math type, so a half array is scaled by the float32 value, as with a Java number),
     * float64 for float64, else a's own type. A 0-d operand never changes the result's dtype.
     */
    private static NDArray operand(NDArray a, double s) {
        DataType t = a.getDataType();
        DataType st = t == DataType.FLOAT64 ? DataType.FLOAT64 : t.isFloating() ? DataType.FLOAT32 : t;
        return scalar(a.getManager(), s, st);
    }

    /** a * s. */
    public static NDArray mul(NDArray a, double s) {
        return withOperand(a, s, NDArray::mul);
    }

    /** a / s. */
    public static NDArray div(NDArray a, double s) {
        return withOperand(a, s, NDArray::div);
    }

    /** a *= s in place (returns a). */
    public static NDArray muli(NDArray a, double s) {
        return withOperand(a, s, NDArray::muli);
    }

    /** a /= s in place (returns a). */
    public static NDArray divi(NDArray a, double s) {
        return withOperand(a, s, NDArray::divi);
    }

    /** op(a, s) with s as a libtorch-owned 0-d array, released after the op (autograd keeps its own reference). */
    private static NDArray withOperand(NDArray a, double s, BinaryOperator<NDArray> op) {
        try (NDArray c = operand(a, s)) {
            return op.apply(a, c);
        }
    }

    /** Fills a native-order staging buffer of {@code bytes} and makes the owned array from it. */
    private static NDArray staged(NDManager m, long bytes, Consumer<ByteBuffer> fill, Shape shape, DataType dtype) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        fill.accept(b);
        return owned(m, b, shape, dtype);
    }

    /**
     * Wraps the staging buffer ({@code from_blob}, no copy), clones it into libtorch's memory, closes the wrapper and
     * frees the staging buffer at once, so loading a model does not hold a second copy of its weights until a GC.
     */
    private static NDArray owned(NDManager m, ByteBuffer staging, Shape shape, DataType dtype) {
        NDArray blob = m.create(staging, shape, dtype);
        try {
            return blob.duplicate();
        } finally {
            blob.close();
            DirectBuffers.free(staging);
        }
    }
}
