package io.rotationdrag.eval;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A small pickle writer (protocol 3) for the subset DragBench metadata uses: dict, str, list, tuple
 * ({@code Object[]}), int, float, bool, None, bytes and {@link NumpyArray}. Arrays are written the way numpy
 * pickles them ({@code numpy.core.multiarray._reconstruct} + BUILD state), with numpy 1 module names, which
 * numpy 2 still accepts; so CPython with numpy reads the result like a file from the benchmark.
 */
public final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private PickleWriter() {
    }

    public static byte[] dumps(Object value) {
        PickleWriter w = new PickleWriter();
        w.out.write(0x80);
        w.out.write(3); // PROTO 3
        w.write(value);
        w.out.write('.'); // STOP
        return w.out.toByteArray();
    }

    private void write(Object v) {
        if (v == null) {
            out.write('N');
        } else if (v instanceof Boolean b) {
            out.write(b ? 0x88 : 0x89);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            writeInt(((Number) v).longValue());
        } else if (v instanceof BigInteger bi) {
            writeLong1(bi);
        } else if (v instanceof Double || v instanceof Float) {
            out.write('G'); // BINFLOAT, big-endian IEEE 754
            writeBytes(ByteBuffer.allocate(8).putDouble(((Number) v).doubleValue()).array());
        } else if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X'); // BINUNICODE
            writeLe32(b.length);
            writeBytes(b);
        } else if (v instanceof byte[] b) {
            out.write('B'); // BINBYTES
            writeLe32(b.length);
            writeBytes(b);
        } else if (v instanceof Map<?, ?> m) {
            out.write('}');
            if (!m.isEmpty()) {
                out.write('(');
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    write(e.getKey());
                    write(e.getValue());
                }
                out.write('u'); // SETITEMS
            }
        } else if (v instanceof List<?> l) {
            out.write(']');
            if (!l.isEmpty()) {
                out.write('(');
                for (Object o : l) {
                    write(o);
                }
                out.write('e'); // APPENDS
            }
        } else if (v instanceof Object[] t) {
            out.write('(');
            for (Object o : t) {
                write(o);
            }
            out.write('t'); // TUPLE
        } else if (v instanceof NumpyArray a) {
            writeArray(a);
        } else {
            throw new IllegalArgumentException("cannot pickle " + v.getClass().getName());
        }
    }

    private void writeArray(NumpyArray a) {
        NumpyDType dt = a.dtype();
        writeGlobal("numpy.core.multiarray", "_reconstruct");
        out.write('(');
        writeGlobal("numpy", "ndarray");
        write(new Object[]{0});
        write("b".getBytes(StandardCharsets.US_ASCII));
        out.write('t');
        out.write('R'); // REDUCE -> empty array
        Object[] shape = a.shapeList().toArray();
        out.write('(');
        writeInt(1);
        write(shape);
        writeDType(dt);
        write(Boolean.FALSE); // C order
        write(encode(a, dt));
        out.write('t');
        out.write('b'); // BUILD
    }

    private void writeDType(NumpyDType dt) {
        writeGlobal("numpy", "dtype");
        write(new Object[]{dt.code(), Boolean.FALSE, Boolean.TRUE});
        out.write('R');
        String order = dt.itemSize() == 1 ? "|" : dt.bigEndian() ? ">" : "<";
        write(new Object[]{3, order, null, null, null, -1, -1, 0});
        out.write('b');
    }

    private static byte[] encode(NumpyArray a, NumpyDType dt) {
        ByteBuffer bb = ByteBuffer.allocate(a.size() * dt.itemSize())
                .order(dt.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.size(); i++) {
            double v = a.get(i);
            switch (dt.kind()) {
                case 'b' -> bb.put((byte) (v != 0 ? 1 : 0));
                case 'i', 'u' -> {
                    if (v != Math.rint(v)) {
                        throw new IllegalArgumentException("integer dtype " + dt + " cannot hold " + v);
                    }
                    switch (dt.itemSize()) {
                        case 1 -> bb.put((byte) (long) v);
                        case 2 -> bb.putShort((short) (long) v);
                        case 4 -> bb.putInt((int) (long) v);
                        default -> bb.putLong((long) v);
                    }
                }
                default -> {
                    if (dt.itemSize() == 4) {
                        bb.putFloat((float) v);
                    } else {
                        bb.putDouble(v);
                    }
                }
            }
        }
        return bb.array();
    }

    private void writeGlobal(String module, String name) {
        out.write('c');
        writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void writeInt(long v) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J'); // BININT, 4-byte little-endian signed
            writeLe32((int) v);
        } else {
            writeLong1(BigInteger.valueOf(v));
        }
    }

    private void writeLong1(BigInteger v) {
        byte[] be = v.toByteArray(); // two's complement, big-endian, minimal
        out.write(0x8a); // LONG1
        out.write(be.length);
        for (int i = be.length - 1; i >= 0; i--) {
            out.write(be[i]);
        }
    }

    private void writeLe32(int v) {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        out.write((v >>> 16) & 0xff);
        out.write((v >>> 24) & 0xff);
    }

    private void writeBytes(byte[] b) {
        out.write(b, 0, b.length);
    }
}
