package io.rotationdrag.eval;

import net.razorvine.pickle.PickleException;

/**
 * A numpy dtype as pickled: {@code numpy.dtype(('u1', False, True))} followed by a BUILD with the state tuple
 * {@code (3, '<' | '>' | '|' | '=', ...)}. Only plain numeric kinds are supported.
 */
public final class NumpyDType {
    private final String code;
    private char kind;
    private int itemSize;
    private boolean bigEndian;

    public NumpyDType(String spec) {
        if (spec == null || spec.length() < 2) {
            throw new PickleException("unsupported numpy dtype '" + spec + "'");
        }
        String s = spec;
        if (s.charAt(0) == '<' || s.charAt(0) == '>' || s.charAt(0) == '|' || s.charAt(0) == '=') {
            bigEndian = s.charAt(0) == '>';
            s = s.substring(1);
        }
        this.code = s;
        this.kind = s.charAt(0);
        try {
            this.itemSize = Integer.parseInt(s.substring(1));
        } catch (NumberFormatException e) {
            throw new PickleException("unsupported numpy dtype '" + spec + "'");
        }
        boolean ok = switch (kind) {
            case 'b' -> itemSize == 1;
            case 'i', 'u' -> itemSize == 1 || itemSize == 2 || itemSize == 4 || itemSize == 8;
            case 'f' -> itemSize == 4 || itemSize == 8;
            default -> false;
        };
        if (!ok) {
            throw new PickleException("unsupported numpy dtype '" + spec + "' (numeric and bool kinds only)");
        }
    }

    /** Pickle BUILD hook: state[1] is the byte order character. */
    public void __setstate__(Object[] state) {
        if (state.length > 1 && state[1] instanceof String order && !order.isEmpty()) {
            bigEndian = order.charAt(0) == '>';
        }
    }

    public String code() {
        return code;
    }

    public char kind() {
        return kind;
    }

    public int itemSize() {
        return itemSize;
    }

    public boolean bigEndian() {
        return bigEndian;
    }

    @Override
    public String toString() {
        return (itemSize == 1 ? "|" : bigEndian ? ">" : "<") + code;
    }
}
