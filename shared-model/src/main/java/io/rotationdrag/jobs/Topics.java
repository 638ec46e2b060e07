package io.rotationdrag.jobs;

/** Kafka topic names (architecture.md): one per dispatched stage, each with a retry and a dead-letter topic. */
public final class Topics {
    public static final String LORA = "rd.stage.lora";
    public static final String DRAG = "rd.stage.drag";
    public static final String EVAL = "rd.stage.eval";
    public static final String RETRY_SUFFIX = ".retry";
    public static final String DLQ_SUFFIX = ".dlq";
    /** Partitions per topic; workers of one stage scale out up to this many consumers. */
    public static final int PARTITIONS = 6;

    private Topics() {
    }

    public static String retry(String topic) {
        return topic + RETRY_SUFFIX;
    }

    public static String dlq(String topic) {
        return topic + DLQ_SUFFIX;
    }
}
