package io.rotationdrag.worker.lora;

import io.rotationdrag.diffusion.ModelGeometry;
import io.rotationdrag.edit.Cancellation;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.ImageOps;
import io.rotationdrag.edit.ProgressEvent;
import io.rotationdrag.edit.ProgressListener;
import io.rotationdrag.lora.LoraLayerWeights;
import io.rotationdrag.lora.LoraOptions;
import io.rotationdrag.lora.LoraWeights;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for DragEditor.trainLora in the stage-wiring tests (the engine itself is tested in shared-model):
 * a deterministic rank-r LoRA on one attention projection, seeded by the image pixels, prompt and options, with
 * one progress event per step (loss = 1/step), a per-step delay and the cancellation check between steps.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class TestLoraEngine implements LoraEngine {
    static final AtomicInteger TRAINED = new AtomicInteger();
    static volatile long stepMs = 0;

    @Override
    public String baseModelId() {
        return "test-base@0";
    }

    @Override
    public ModelGeometry geometry() {
        return new ModelGeometry(64, 64);
    }

    @Override
    public LoraWeights train(EditRequest r, ProgressListener p, Cancellation c) {
        LoraOptions o = r.options().lora();
        for (int i = 1; i <= o.steps(); i++) {
            Cancellation.check(c, ProgressEvent.LORA, i);
            if (stepMs > 0) {
                try {
                    Thread.sleep(stepMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            p.onEvent(ProgressEvent.of(ProgressEvent.LORA, i, o.steps(), 1.0 / i));
        }
        Random rnd = new Random((ImageOps.pixelHash(r.image()) + r.prompt() + o.canonical()).hashCode());
        int rank = o.rank();
        float[] down = new float[rank * 4];
        float[] up = new float[4 * rank];
        for (int i = 0; i < down.length; i++) {
            down[i] = (float) rnd.nextGaussian();
            up[i] = (float) rnd.nextGaussian();
        }
        String module = "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q";
        TRAINED.incrementAndGet();
        return new LoraWeights(Map.of(module, new LoraLayerWeights(module, rank, 4, 4, down, up, Float.NaN)),
                o.scale(), Map.of());
    }
}
