package io.rotationdrag.worker.drag;

import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.service.runtime.StageContext;
import io.rotationdrag.service.runtime.StageHandler;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;

/**
 * The LORA stage of these tests (worker-lora is another app): stores a LoRA blob for the job, unless the prompt
 * says "no-lora", so jobs reach the DRAG stage through the real dispatch path (outbox -> rd.stage.drag).
 */
@ApplicationScoped
public class StandInLoraStage implements StageHandler {
    @Override
    public Stage stage() {
        return Stage.LORA;
    }

    @Override
    public void run(StageContext ctx) throws Exception {
        ctx.step(JobState.LORA, () -> {
            if (!ctx.job().prompt.contains("no-lora")) {
                ctx.blobs().put(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(ctx.jobId()),
                        ("lora-" + ctx.jobId()).getBytes(StandardCharsets.UTF_8), "application/octet-stream");
            }
            return null;
        });
    }
}
