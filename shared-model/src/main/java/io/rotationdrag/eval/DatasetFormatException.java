package io.rotationdrag.eval;

/** A dataset folder or file that is missing or malformed; the message names the file and what is wrong. */
public class DatasetFormatException extends IllegalArgumentException {
    public DatasetFormatException(String message) {
        super(message);
    }

    public DatasetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
