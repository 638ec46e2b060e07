package io.rotationdrag.jobs;

import java.util.List;
import java.util.Locale;

/**
 * A dispatched stage: one Kafka topic, one worker service. A stage runs one or more job steps
 * (the drag worker runs INVERT, DRAG and DENOISE with the model kept warm).
 */
public enum Stage {
    LORA(Topics.LORA, List.of(JobState.LORA)),
    DRAG(Topics.DRAG, List.of(JobState.INVERT, JobState.DRAG, JobState.DENOISE)),
    EVAL(Topics.EVAL, List.of(JobState.EVAL));

    private final String topic;
    private final List<JobState> steps;

    Stage(String topic, List<JobState> steps) {
        this.topic = topic;
        this.steps = steps;
    }

    public String topic() {
        return topic;
    }

    public String retryTopic() {
        return Topics.retry(topic);
    }

    public String dlqTopic() {
        return Topics.dlq(topic);
    }

    /** The job steps this stage runs, in order. */
    public List<JobState> steps() {
        return steps;
    }

    /** The stage after this one, or null when the job is done after it. */
    public Stage next() {
        return switch (this) {
            case LORA -> DRAG;
            case DRAG -> EVAL;
            case EVAL -> null;
        };
    }

    /** Lower-case id used in consumer group names and config keys ("lora", "drag", "eval"). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Stage fromTopic(String topic) {
        for (Stage s : values()) {
            if (topic.equals(s.topic) || topic.equals(s.retryTopic()) || topic.equals(s.dlqTopic())) {
                return s;
            }
        }
        throw new IllegalArgumentException("not a stage topic: " + topic);
    }
}
