package io.rotationdrag.gateway.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.util.Locale;

/**
 * User-facing wording of Jackson's exceptions: the JSON path of the field at fault and what was expected there,
 * never Jackson's own message (it names Java classes and parser features).
 */
public final class JsonErrors {
    private JsonErrors() {
    }

    /** Dotted path of the field at fault ({@code prefix.a.b[2]}), or prefix / null when the error has no path. */
    public static String field(JsonProcessingException e, String prefix) {
        if (!(e instanceof JsonMappingException m) || m.getPath().isEmpty()) {
            return prefix;
        }
        StringBuilder b = new StringBuilder(prefix == null ? "" : prefix);
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.isEmpty() ? prefix : b.toString();
    }

    /** @param what the document, e.g. "options" or "the request body" */
    public static String message(JsonProcessingException e, String what) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + field(u, null) + "' in " + what;
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String f = field(m, null);
            String expected = expected(m.getTargetType());
            Object value = e instanceof InvalidFormatException i ? i.getValue() : null;
            return f + " must be " + expected + (value == null ? "" : ", got '" + shorten(String.valueOf(value)) + "'");
        }
        if (e instanceof JsonEOFException) {
            return what + " is not valid JSON: it ends early";
        }
        if (e instanceof JsonParseException || e.getLocation() != null) {
            var at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String hint = String.valueOf(e.getOriginalMessage()).contains("NaN")
                    || String.valueOf(e.getOriginalMessage()).contains("Infinity")
                    ? " (numbers must be finite JSON numbers)" : "";
            return what + " is not valid JSON" + where + hint;
        }
        return what + " does not have the expected shape";
    }

    /** The JSON kind a Java type stands for. */
    static String expected(Class<?> t) {
        if (t == null) {
            return "of another type";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class || t == short.class
                || t == Short.class) {
            return "an integer";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        if (t.isEnum()) {
            StringBuilder b = new StringBuilder("one of ");
            Object[] cs = t.getEnumConstants();
            for (int i = 0; i < cs.length; i++) {
                b.append(i == 0 ? "" : ", ").append(cs[i].toString().toLowerCase(Locale.ROOT));
            }
            return b.toString();
        }
        if (java.util.Collection.class.isAssignableFrom(t) || t.isArray()) {
            return "a list";
        }
        return "an object";
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
