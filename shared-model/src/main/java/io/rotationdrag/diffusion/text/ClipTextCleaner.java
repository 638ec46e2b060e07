package io.rotationdrag.diffusion.text;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The text clean-up transformers' slow CLIPTokenizer applies when ftfy is not installed (its BERT
 * {@code BasicTokenizer} with strip_accents=False and no punctuation split): drop NUL, U+FFFD and control
 * characters, turn whitespace into spaces, put spaces around CJK ideographs, NFC-normalise, split on Python
 * whitespace, lower-case each piece and re-join with single spaces. For ASCII prompts this equals the ftfy
 * path (collapse whitespace, strip, lower-case).
 */
final class ClipTextCleaner {

    private ClipTextCleaner() {
    }

    static String clean(String text) {
        StringBuilder cleaned = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isBertWhitespace(cp)) {
                cleaned.append(' ');
            } else if (isCjk(cp)) {
                cleaned.append(' ').appendCodePoint(cp).append(' ');
            } else {
                cleaned.appendCodePoint(cp);
            }
        });
        String normalized = Normalizer.normalize(cleaned, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(normalized.length());
        StringBuilder word = new StringBuilder();
        normalized.codePoints().forEach(cp -> {
            if (isPythonSpace(cp)) {
                flush(word, out);
            } else {
                word.appendCodePoint(cp);
            }
        });
        flush(word, out);
        return out.toString();
    }

    private static void flush(StringBuilder word, StringBuilder out) {
        if (word.length() == 0) {
            return;
        }
        if (out.length() > 0) {
            out.append(' ');
        }
        out.append(word.toString().toLowerCase(Locale.ROOT));
        word.setLength(0);
    }

    /** BERT's _is_whitespace: space, tab, newline, carriage return, or Unicode category Zs. */
    private static boolean isBertWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** BERT's _is_control: any category C* character except tab, newline and carriage return. */
    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
    }

    /** Python's str.isspace() set, which str.split() uses. */
    static boolean isPythonSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0
                || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    private static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
