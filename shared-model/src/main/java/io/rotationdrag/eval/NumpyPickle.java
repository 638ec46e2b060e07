package io.rotationdrag.eval;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

import java.io.IOException;

/**
 * Reads Python pickles that hold numpy arrays, as DragBench's {@code meta_data.pkl} does. Registers
 * constructors for both numpy 1 ({@code numpy.core.multiarray}) and numpy 2 ({@code numpy._core.multiarray})
 * module names: {@code _reconstruct} (arrays), {@code scalar} (numpy scalars, returned as Long / Double) and
 * {@code numpy.dtype}. Nothing else is executed: unknown globals become razorvine ClassDicts.
 */
public final class NumpyPickle {
    private static final Object LOCK = new Object();

    private NumpyPickle() {
    }

    /** Unpickles bytes; numpy arrays become {@link NumpyArray}. */
    public static Object load(byte[] pickle) throws IOException {
        // razorvine's constructor registry is JVM-global: ours are set again before every load, under one lock,
        // so another registration for the same numpy names (a test's capturing constructor) cannot decide what
        // a DragBench mask becomes.
        synchronized (LOCK) {
            register();
            Unpickler u = new Unpickler();
            try {
                return u.loads(pickle);
            } finally {
                u.close();
            }
        }
    }

    private static void register() {
        IObjectConstructor reconstruct = args -> new NumpyArray();
        IObjectConstructor scalar = NumpyPickle::scalar;
        for (String module : new String[]{"numpy.core.multiarray", "numpy._core.multiarray"}) {
            Unpickler.registerConstructor(module, "_reconstruct", reconstruct);
            Unpickler.registerConstructor(module, "scalar", scalar);
        }
        Unpickler.registerConstructor("numpy", "dtype", args -> {
            if (args.length < 1 || !(args[0] instanceof String s)) {
                throw new PickleException("numpy.dtype expects a type string");
            }
            return new NumpyDType(s);
        });
    }

    /** {@code scalar(dtype, raw_bytes)} -> Long for bool/int kinds, Double for floats. */
    private static Object scalar(Object[] args) {
        if (args.length != 2 || !(args[0] instanceof NumpyDType dt)) {
            throw new PickleException("numpy scalar expects (dtype, bytes)");
        }
        byte[] raw;
        if (args[1] instanceof byte[] b) {
            raw = b;
        } else if (args[1] instanceof String s) {
            raw = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        } else {
            throw new PickleException("numpy scalar data is not bytes");
        }
        if (raw.length != dt.itemSize()) {
            throw new PickleException("numpy scalar of dtype " + dt + " needs " + dt.itemSize() + " bytes");
        }
        double v = NumpyArray.decode(raw, dt, 1)[0];
        if (dt.kind() == 'f') {
            return v;
        }
        return v <= Long.MAX_VALUE ? (Object) (long) v : (Object) v;
    }
}
