package io.rotationdrag.gateway.jobs;

import io.rotationdrag.jobs.JobState;

/** The job exists but the artefact asked for is not there yet (409, with the job's state). */
public class JobNotFinishedException extends RuntimeException {
    private final JobState state;

    public JobNotFinishedException(JobState state, String message) {
        super(message, null, false, false);
        this.state = state;
    }

    public JobState state() {
        return state;
    }
}
