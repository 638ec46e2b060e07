package io.rotationdrag.edit;

/** Receives progress of a stage; called on the editing thread, so keep it quick. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = e -> { };

    void onEvent(ProgressEvent e);
}
