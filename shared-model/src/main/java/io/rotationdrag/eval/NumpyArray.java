package io.rotationdrag.eval;

import net.razorvine.pickle.PickleException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A numpy ndarray read from a pickle: {@code _reconstruct(ndarray, (0,), b'b')} creates it empty, then BUILD
 * passes {@code (version, shape, dtype, is_fortran, raw_bytes)}. Values are widened to double (exact for
 * every integer up to 2^53, which covers images, masks and pixel coordinates). Stored in C (row-major) order.
 */
public final class NumpyArray {
    private int[] shape = new int[0];
    private NumpyDType dtype;
    private double[] data = new double[0];

    public NumpyArray() {
    }

    /** Builds an array in C order (used by the writer and tests). */
    public NumpyArray(NumpyDType dtype, int[] shape, double[] data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data.clone();
        if (size(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size(shape)
                    + " values, got " + data.length);
        }
    }

    /** Pickle BUILD hook. */
    public void __setstate__(Object[] state) {
        if (state.length != 5) {
            throw new PickleException("unexpected ndarray state of length " + state.length);
        }
        Object[] shp = (Object[]) state[1];
        int[] s = new int[shp.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = ((Number) shp[i]).intValue();
        }
        if (!(state[2] instanceof NumpyDType dt)) {
            throw new PickleException("ndarray dtype is not a numpy dtype: " + state[2]);
        }
        boolean fortran = Boolean.TRUE.equals(state[3]);
        if (!(state[4] instanceof byte[] raw)) {
            throw new PickleException("ndarray holds Python objects (dtype object), not raw numbers: unsupported");
        }
        int n = size(s);
        if ((long) n * dt.itemSize() != raw.length) {
            throw new PickleException("ndarray of shape " + Arrays.toString(s) + " and dtype " + dt + " needs "
                    + (long) n * dt.itemSize() + " bytes, found " + raw.length);
        }
        double[] v = decode(raw, dt, n);
        this.shape = s;
        this.dtype = dt;
        this.data = fortran ? fortranToC(v, s) : v;
    }

    static double[] decode(byte[] raw, NumpyDType dt, int n) {
        ByteBuffer bb = ByteBuffer.wrap(raw).order(dt.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (dt.kind()) {
                case 'b' -> bb.get() != 0 ? 1 : 0;
                case 'i' -> switch (dt.itemSize()) {
                    case 1 -> bb.get();
                    case 2 -> bb.getShort();
                    case 4 -> bb.getInt();
                    default -> (double) bb.getLong();
                };
                case 'u' -> switch (dt.itemSize()) {
                    case 1 -> bb.get() & 0xff;
                    case 2 -> bb.getShort() & 0xffff;
                    case 4 -> bb.getInt() & 0xffffffffL;
                    default -> unsignedLong(bb.getLong());
                };
                default -> dt.itemSize() == 4 ? bb.getFloat() : bb.getDouble();
            };
        }
        return v;
    }

    private static double unsignedLong(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    private static double[] fortranToC(double[] f, int[] s) {
        int n = f.length;
        double[] c = new double[n];
        int[] idx = new int[s.length];
        for (int fi = 0; fi < n; fi++) {
            // fi enumerates indices with the first axis fastest; compute the C offset.
            int off = 0;
            for (int d = 0; d < s.length; d++) {
                off = off * s[d] + idx[d];
            }
            c[off] = f[fi];
            for (int d = 0; d < s.length; d++) {
                if (++idx[d] < s[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return c;
    }

    private static int size(int[] s) {
        long n = 1;
        for (int d : s) {
            if (d < 0) {
                throw new PickleException("negative ndarray dimension");
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new PickleException("ndarray too large");
        }
        return (int) n;
    }

    public int[] shape() {
        return shape.clone();
    }

    public NumpyDType dtype() {
        return dtype;
    }

    public int size() {
        return data.length;
    }

    /** Flat C-order value. */
    public double get(int flatIndex) {
        return data[flatIndex];
    }

    public double[] toDoubleArray() {
        return data.clone();
    }

    public List<Integer> shapeList() {
        return Arrays.stream(shape).boxed().toList();
    }

    @Override
    public String toString() {
        return "ndarray(shape=" + Arrays.toString(shape) + ", dtype=" + dtype + ")";
    }
}
