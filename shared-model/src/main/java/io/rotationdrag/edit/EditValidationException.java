package io.rotationdrag.edit;

/** Bad edit input; the message is meant for the user (it becomes an HTTP 4xx reason or a FAILED job message). */
public class EditValidationException extends IllegalArgumentException {
    public EditValidationException(String message) {
        super(message);
    }
}
