package io.rotationdrag.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON of one job ({@code GET /api/v1/jobs/{id}}).
 *
 * @param state     QUEUED, LORA, INVERT, DRAG, DENOISE, EVAL, SUCCEEDED, FAILED or CANCELLED
 * @param points    [[hx,hy],[tx,ty],...] as stored
 * @param options   the options the user changed (partial EditOptions; the method's defaults fill the rest)
 * @param progress  the current step's progress, null before the first step and after the last
 * @param stages    one entry per step attempt: who ran it, when, how long, how it ended
 * @param tasks     one entry per dispatched stage (LORA, DRAG, EVAL): lease status, attempts, last error
 * @param attempts  attempts per dispatched stage
 * @param workers   ids of the workers that ran a step of this job
 * @param metrics   evaluation metrics once EVAL ran
 * @param links     self, events, result, trajectory, input image and mask
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String id, String state, String method, String prompt, List<double[]> points, JsonNode options,
                      ImageInfo image, boolean cancelRequested, String error, Progress progress, Instant createdAt,
                      Instant updatedAt, Instant startedAt, Instant finishedAt, Long durationMs, List<StageView> stages,
                      List<TaskView> tasks, Map<String, Integer> attempts, List<String> workers, JsonNode metrics,
                      Map<String, String> links) {

    public record ImageInfo(int width, int height, boolean hasMask) {
    }

    /** @param fraction done / total, null while the total is unknown */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Progress(String step, Integer done, Integer total, Double fraction) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StageView(String step, int attempt, String workerId, String status, Instant startedAt,
                            Instant endedAt, Long durationMs, Integer progressDone, Integer progressTotal,
                            String error, JsonNode detail) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TaskView(String stage, String status, int attempts, String owner, String lastError) {
    }

    /** A row of the job list. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(String id, String state, String method, String prompt, Progress progress,
                          Instant createdAt, Instant finishedAt, String error, Map<String, String> links) {
    }

    /** A page of the job list, newest first. */
    public record Page(List<Summary> items, int page, int size, long total, String state) {
    }
}
