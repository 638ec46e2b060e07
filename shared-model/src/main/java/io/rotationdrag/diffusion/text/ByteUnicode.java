package io.rotationdrag.diffusion.text;

/**
 * GPT-2/CLIP's reversible byte-to-unicode table: every UTF-8 byte becomes a printable code point, so that BPE
 * symbols never contain whitespace or control characters. The printable bytes '!'..'~', 0xA1..0xAC and
 * 0xAE..0xFF map to themselves; the other 68 bytes map to U+0100, U+0101, ... in increasing byte order.
 */
final class ByteUnicode {

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** The 256 byte symbols in vocabulary order (printable bytes first, then the remapped ones). */
    private static final int[] VOCAB_ORDER = new int[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        boolean[] printable = new boolean[256];
        int k = 0;
        for (int b = 0; b < 256; b++) {
            if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
                printable[b] = true;
                BYTE_TO_CHAR[b] = (char) b;
                VOCAB_ORDER[k++] = b;
            }
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                BYTE_TO_CHAR[b] = (char) (256 + n++);
                VOCAB_ORDER[k++] = b;
            }
        }
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteUnicode() {
    }

    static char encode(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte & 0xFF];
    }

    /** The byte behind a symbol character, or -1 if the character is not one of the 256 symbols. */
    static int decode(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The byte whose symbol has vocabulary id {@code i} (0..255). */
    static int byteAtVocabIndex(int i) {
        return VOCAB_ORDER[i];
    }

    static String encodeBytes(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            sb.append(encode(b));
        }
        return sb.toString();
    }
}
