package io.rotationdrag.service.runtime;

import io.rotationdrag.jobs.Stage;

/**
 * The work of one dispatched stage. A worker service provides one bean per stage it runs; the
 * {@link WorkerRuntime} starts the dispatch loops for every handler bean it finds.
 *
 * <p>Contract: idempotent. A stage can be re-run after a crash, a lost lease or a retry; the handler checks
 * the object store for artefacts an earlier attempt already wrote (keys are deterministic) and reuses them.
 */
public interface StageHandler {
    Stage stage();

    /** Runs the stage; throw to fail the attempt ({@link NonRetryableStageException} skips the retries). */
    void run(StageContext ctx) throws Exception;
}
