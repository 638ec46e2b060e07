package io.rotationdrag.worker.drag;

import io.quarkus.runtime.StartupEvent;
import io.rotationdrag.edit.Cancellation;
import io.rotationdrag.edit.DragEditor;
import io.rotationdrag.edit.DragOutcome;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.Inversion;
import io.rotationdrag.edit.ProgressListener;
import io.rotationdrag.lora.LoraWeights;
import io.rotationdrag.service.model.BaseModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.awt.image.BufferedImage;

/**
 * {@link DragEngine} on the edit engine's {@link DragEditor} over the process's warm base model (loaded at
 * start-up; the job's LoRA is swapped in per call). Calls are serialised: one UNet, one LoRA at a time.
 */
@ApplicationScoped
public class EditorDragEngine implements DragEngine {
    @Inject
    BaseModel model;

    /** Loads the model and makes the editor at start-up, so the first job does not wait (and a missing model
     *  stops the process with the reason). */
    void warm(@Observes StartupEvent ev) {
        editor();
    }

    private DragEditor editor() {
        return model.editor();
    }

    private static LoraWeights lora(byte[] b) {
        return b == null ? null : LoraWeights.fromBytes(b);
    }

    @Override
    public synchronized byte[] invert(EditRequest r, byte[] lora, ProgressListener p, Cancellation c) {
        return editor().invert(r, lora(lora), p, c).toBytes();
    }

    @Override
    public synchronized DragResult drag(EditRequest r, byte[] lora, byte[] inv, ProgressListener p, Cancellation c) {
        DragOutcome d = editor().drag(r, lora(lora), Inversion.fromBytes(inv), p, c);
        return new DragResult(d.toBytes(), d.trajectory(), d.angles(), d.losses(), d.steps(), d.stopReason(),
                d.unetForwards(), d.unetBackwards());
    }

    @Override
    public synchronized BufferedImage denoise(EditRequest r, byte[] lora, byte[] inv, byte[] outcome,
                                              ProgressListener p, Cancellation c) {
        return editor().denoise(r, lora(lora), Inversion.fromBytes(inv), DragOutcome.fromBytes(outcome), p, c);
    }
}
