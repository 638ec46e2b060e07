package io.rotationdrag.diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Gradients through {@link OwnedArrays} operands stay exact when the Java side is collected between forward and
 * backward. (The same cases written with DJL's own {@code x.mul(2f)}, {@code x.div(0.5f)} or
 * {@code x.mul(m.create(w))} returned 8.0e-41, 1.4e-14 and -1.7e30 here instead of 2: the reason for the class.)
 */
class OwnedArraysTest {

    static NDManager m;

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        m.close();
    }

    /** d/dx sum(op(x)) at x = 1 with garbage collected and freed memory overwritten before the backward. */
    static float[] gradientAfterGc(UnaryOperator<NDArray> op) {
        NDArray x = m.ones(new Shape(1024));
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y;
            try (NDScope scope = new NDScope()) {
                y = Ops.keep(op.apply(x));
            }
            for (int i = 0; i < 5; i++) {
                GcPressure.collectAndScribble();
            }
            gc.backward(y.sum());
        }
        return x.getGradient().toFloatArray();
    }

    static float[] filled(float v) {
        float[] a = new float[1024];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void scalarOperandsSurviveCollection() {
        assertArrayEquals(filled(2f), gradientAfterGc(x -> OwnedArrays.mul(x, 2)));
        assertArrayEquals(filled(2f), gradientAfterGc(x -> OwnedArrays.div(x, 0.5)));
        // in place on a copy: d/dx (x * 1) * 3 = 3
        assertArrayEquals(filled(3f), gradientAfterGc(x -> OwnedArrays.muli(OwnedArrays.mul(x, 1), 3)));
    }

    @Test
    void arrayOperandsFromJavaDataSurviveCollection() {
        float[] w = new float[1024];
        for (int i = 0; i < w.length; i++) {
            w[i] = i * 0.25f - 7f;
        }
        assertArrayEquals(w, gradientAfterGc(x -> x.mul(OwnedArrays.of(x.getManager(), w, new Shape(1024)))));
    }

    @Test
    void javaDataRoundTripsAfterItsStagingBufferIsFreed() {
        assertTrue(DirectBuffers.canFree(), "this JDK frees staging buffers at once");
        float[] f = {1.5f, -2.25f, 3e-8f, Float.MAX_VALUE, 0f, 7f};
        NDArray a = OwnedArrays.of(m, f, new Shape(2, 3));
        GcPressure.collectAndScribble();
        assertArrayEquals(f, a.toFloatArray());
        assertEquals(new Shape(2, 3), a.getShape());
        long[] l = {Long.MIN_VALUE, -1, 0, 1L << 40};
        assertArrayEquals(l, OwnedArrays.of(m, l).toLongArray());
        assertEquals(DataType.INT64, OwnedArrays.of(m, l, new Shape(2, 2)).getDataType());
        int[] i = {3, -4, 5, 6};
        assertArrayEquals(i, OwnedArrays.of(m, i, new Shape(4)).toIntArray());
        assertEquals(0.1, OwnedArrays.scalar(m, 0.1, DataType.FLOAT64).getDouble(), 0.0);
        assertEquals(0.1f, OwnedArrays.scalar(m, 0.1, DataType.FLOAT32).getFloat(), 0f);
    }

    @Test
    void scalarsKeepTheArraysDtypeAndValue() {
        NDArray h = m.ones(new Shape(3), DataType.FLOAT16);
        assertEquals(DataType.FLOAT16, OwnedArrays.mul(h, 0.1).getDataType());
        NDArray d = m.ones(new Shape(2), DataType.FLOAT64);
        assertEquals(0.1, OwnedArrays.mul(d, 0.1).toDoubleArray()[0], 0.0, "float64 keeps the double exactly");
        assertEquals(DataType.INT64, OwnedArrays.mul(m.arange(0L, 4L, 1L, DataType.INT64), 3).getDataType());
        assertArrayEquals(new long[] {0, 3, 6, 9}, OwnedArrays.mul(m.arange(0L, 4L, 1L, DataType.INT64), 3)
                .toLongArray());
        assertEquals(DataType.FLOAT16, OwnedArrays.of(m, new float[] {1.5f}, new Shape(1), DataType.FLOAT16)
                .getDataType());
        assertEquals(1.5f, OwnedArrays.of(m, new float[] {1.5f}, new Shape(1), DataType.FLOAT16)
                .toType(DataType.FLOAT32, false).getFloat(0));
    }
}
