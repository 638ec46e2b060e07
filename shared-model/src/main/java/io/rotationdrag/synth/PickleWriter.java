package io.rotationdrag.synth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes DragBench's {@code meta_data.pkl}: a pickle (protocol 3) of
 * {@code {"prompt": str, "points": [[x, y], ...], "mask": numpy uint8 HxW}}, the array in numpy's own
 * reduce form ({@code numpy.core.multiarray._reconstruct}, numpy 1 module names, which numpy 2 still loads),
 * so CPython with numpy reads it like the public benchmark's files. Minimal: only what DragBench needs.
 */
public final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private PickleWriter() {
    }

    /** The meta_data.pkl bytes. {@code points} are [x, y] integer pixel pairs: handle, target, ... */
    public static byte[] dragBenchMeta(String prompt, List<int[]> points, byte[][] mask) {
        PickleWriter w = new PickleWriter();
        w.op(0x80).op(3);                     // PROTO 3
        w.op('}');                            // EMPTY_DICT
        w.op('(');                            // MARK
        w.str("prompt").str(prompt);
        w.str("points");
        w.op(']');                            // EMPTY_LIST
        if (!points.isEmpty()) {
            w.op('(');
            for (int[] p : points) {
                if (p.length != 2) {
                    throw new IllegalArgumentException("a point is [x, y]; got " + p.length + " values");
                }
                w.op(']').op('(').integer(p[0]).integer(p[1]).op('e');   // [x, y]
            }
            w.op('e');                        // APPENDS
        }
        w.str("mask");
        w.uint8Array(mask);
        w.op('u');                            // SETITEMS
        w.op('.');                            // STOP
        return w.out.toByteArray();
    }

    private PickleWriter op(int b) {
        out.write(b);
        return this;
    }

    private PickleWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');                              // BINUNICODE: 4-byte little-endian length + UTF-8
        int32(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    private PickleWriter integer(int v) {
        op('J');                              // BININT: signed 4-byte little-endian
        return int32(v);
    }

    private PickleWriter int32(int v) {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        out.write((v >>> 16) & 0xff);
        out.write((v >>> 24) & 0xff);
        return this;
    }

    private PickleWriter global(String module, String name) {
        op('c');
        byte[] b = (module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII);
        out.write(b, 0, b.length);
        return this;
    }

    private void bytes(byte[] b) {
        op('B');                              // BINBYTES
        int32(b.length);
        out.write(b, 0, b.length);
    }

    /** ndarray.__reduce__: _reconstruct(ndarray, (0,), b'b') then BUILD (1, shape, dtype, False, raw). */
    private void uint8Array(byte[][] mask) {
        int h = mask.length, w = h == 0 ? 0 : mask[0].length;
        byte[] raw = new byte[h * w];
        for (int y = 0; y < h; y++) {
            if (mask[y].length != w) {
                throw new IllegalArgumentException("mask rows differ in length");
            }
            System.arraycopy(mask[y], 0, raw, y * w, w);
        }
        global("numpy.core.multiarray", "_reconstruct");
        global("numpy", "ndarray");
        integer(0).op(0x85);                  // (0,)
        bytes(new byte[]{'b'});
        op(0x87).op('R');                     // TUPLE3, REDUCE
        op('(').integer(1);
        integer(h).integer(w).op(0x86);       // (h, w)
        global("numpy", "dtype");
        str("u1").op(0x89).op(0x88).op(0x87).op('R');   // dtype('u1', False, True)
        op('(').integer(3).str("|").op('N').op('N').op('N').integer(-1).integer(-1).integer(0).op('t');
        op('b');                              // BUILD dtype with its state
        op(0x89);                             // not Fortran order
        bytes(raw);
        op('t').op('b');                      // TUPLE, BUILD the array
    }
}
