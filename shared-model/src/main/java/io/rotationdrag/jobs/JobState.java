package io.rotationdrag.jobs;

import java.util.EnumSet;
import java.util.Set;

/**
 * Job state machine: QUEUED -> LORA -> INVERT -> DRAG -> DENOISE -> EVAL -> SUCCEEDED, or FAILED / CANCELLED
 * from any non-terminal state. The five working states are also the names of the per-step stage records.
 */
public enum JobState {
    QUEUED, LORA, INVERT, DRAG, DENOISE, EVAL, SUCCEEDED, FAILED, CANCELLED;

    private static final Set<JobState> TERMINAL = EnumSet.of(SUCCEEDED, FAILED, CANCELLED);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** The forward edges of the machine; FAILED and CANCELLED are reachable from every non-terminal state. */
    public boolean canMoveTo(JobState next) {
        if (isTerminal()) {
            return false;
        }
        if (next == FAILED || next == CANCELLED) {
            return true;
        }
        // Re-entering the same state is allowed: a redelivered stage re-runs the step it was in.
        return next == this || next.ordinal() == ordinal() + 1;
    }

    /** The working steps that carry a stage record (start/end, attempts, worker, progress). */
    public static final Set<JobState> STEPS = EnumSet.of(LORA, INVERT, DRAG, DENOISE, EVAL);
}
