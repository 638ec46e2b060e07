package io.rotationdrag.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import net.razorvine.pickle.Unpickler;
import org.junit.jupiter.api.Test;

/** Reads the written pickle back with an independent unpickler (razorvine), decoding numpy's reduce form. */
class PickleWriterTest {

    /** Collects what numpy's _reconstruct / dtype receive, the way numpy itself would be handed them. */
    public static final class Captured {
        public final Object[] args;
        public Object[] state;

        Captured(Object[] args) {
            this.args = args;
        }

        public void __setstate__(Object[] s) {
            state = s;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void dragBenchMetaRoundTrips() throws Exception {
        Unpickler.registerConstructor("numpy.core.multiarray", "_reconstruct", Captured::new);
        Unpickler.registerConstructor("numpy", "dtype", Captured::new);
        boolean[] mask = new boolean[3 * 5];
        mask[1 * 5 + 2] = true;
        mask[2 * 5 + 4] = true;
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(5, 3,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        byte[] bytes = DragBenchWriter.metaPickle(new DragBenchSample("", "s", img, PixelMask.of(5, 3, mask),
                List.of(new HandleTarget(1, 2, 4, 0)), "a red bar on a blue background", null, null, null));
        Map<String, Object> m = (Map<String, Object>) new Unpickler().loads(bytes);
        assertEquals("a red bar on a blue background", m.get("prompt"));
        List<List<Integer>> pts = (List<List<Integer>>) m.get("points");
        assertEquals(List.of(List.of(1, 2), List.of(4, 0)), pts);
        Captured arr = (Captured) m.get("mask");
        assertEquals(3, arr.args.length);
        Object[] st = arr.state;
        assertEquals(1, st[0]);
        assertArrayEquals(new Object[]{3, 5}, (Object[]) st[1]);
        Captured dtype = (Captured) st[2];
        assertEquals("u1", dtype.args[0]);
        assertEquals("|", dtype.state[1]);
        assertEquals(false, st[3]);
        byte[] raw = (byte[]) st[4];
        assertEquals(15, raw.length);
        assertEquals(1, raw[1 * 5 + 2]);
        assertEquals(1, raw[2 * 5 + 4]);
        assertEquals(2, raw[0] + raw[7] + raw[14]);
    }
}
