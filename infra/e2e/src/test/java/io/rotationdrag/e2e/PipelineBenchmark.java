package io.rotationdrag.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.db.StageRecordEntity;
import io.rotationdrag.service.testing.Await;
import io.rotationdrag.service.testing.RdServicesTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Benchmark (a command, not a test: {@code bash infra/e2e/bench}): jobs per minute through the packaged workers
 * on the tiny model with 1 and then 2 worker-drag processes, side by side in one run, per-step compute time, and
 * the queueing overhead (submit -> LORA start, and the stage hand-offs LORA -> INVERT and DENOISE -> EVAL
 * through outbox, Kafka and lease claim) as a fraction of compute.
 *
 * <p>Every job uses the same image and prompt (so after the warm-up job the LoRA comes from the cache and the
 * drag stage is the part that scales with drag workers) and its own drag target. RD_BENCH_JOBS jobs per phase
 * (default 6), RD_BENCH_DRAG_STEPS drag steps (default 20). Ends at SUCCEEDED when worker-eval runs EVAL, else
 * at the EVAL hand-off (printed).
 */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
@Tag("benchmark")
class PipelineBenchmark {
    private static final Duration TIMEOUT = Duration.ofMinutes(20);

    @Inject
    JobStore store;

    @Inject
    BlobStore blobs;

    private boolean evalRuns;

    @Test
    void jobsPerMinuteWithOneAndTwoDragWorkers() throws Exception {
        int jobs = Integer.parseInt(System.getenv().getOrDefault("RD_BENCH_JOBS", "6"));
        int dragSteps = Integer.parseInt(System.getenv().getOrDefault("RD_BENCH_DRAG_STEPS", "20"));
        List<WorkerProcess> procs = new ArrayList<>();
        try {
            Map<String, String> env = E2eSupport.workerEnv();
            env.put("RD_STAGE_LEASE", "30s");
            String run = Long.toString(System.currentTimeMillis() % 100000);
            WorkerProcess lora = WorkerProcess.start("worker-lora", "bench-lora-" + run, env);
            WorkerProcess eval = WorkerProcess.start("worker-eval", "bench-eval-" + run, env);
            WorkerProcess drag1 = WorkerProcess.start("worker-drag", "bench-drag1-" + run, env);
            procs.addAll(List.of(lora, eval, drag1));
            for (WorkerProcess p : procs) {
                p.awaitReady(Duration.ofMinutes(3));
            }
            evalRuns = eval.get("/q/health/live").contains("/eval-0");
            byte[] png = E2eSupport.scenePng(99);
            System.out.println("[bench] warm-up job (trains the LoRA once, warms the JIT)");
            UUID warm = submit(png, 0, dragSteps);
            awaitEnd(List.of(warm));

            Phase one = phase("1 drag worker", png, jobs, dragSteps);
            WorkerProcess drag2 = WorkerProcess.start("worker-drag", "bench-drag2-" + run, env);
            procs.add(drag2);
            drag2.awaitReady(Duration.ofMinutes(3));
            Thread.sleep(3000); // let the group rebalance settle
            Phase two = phase("2 drag workers", png, jobs, dragSteps);

            System.out.println("[bench] ===== RotationDrag pipeline benchmark (tiny model, 64x64, " + dragSteps
                    + " drag steps, cached LoRA, " + Runtime.getRuntime().availableProcessors() + " cores) =====");
            System.out.println("[bench] end point: " + (evalRuns ? "SUCCEEDED (EVAL ran)"
                    : "EVAL hand-off (worker-eval has no EVAL handler yet)"));
            idleOverhead(warm);
            one.print();
            two.print();
            System.out.printf(Locale.ROOT, "[bench] speed-up 2 vs 1 drag workers: %.2fx%n",
                    two.jobsPerMinute() / one.jobsPerMinute());
        } finally {
            for (WorkerProcess p : procs) {
                p.close();
            }
        }
    }

    private UUID submit(byte[] png, int i, int dragSteps) {
        String points = "[[20,20],[" + (34 + i % 8) + ",28],[32,44],[32,44]]";
        return E2eSupport.submit(store, blobs, png, "bench box", points, E2eSupport.options(dragSteps));
    }

    private void awaitEnd(List<UUID> ids) {
        for (UUID id : ids) {
            if (evalRuns) {
                JobEntity j = E2eSupport.awaitState(store, id, TIMEOUT, JobState.SUCCEEDED);
                if (j.state != JobState.SUCCEEDED) {
                    throw new AssertionError("job " + id + " " + j.state + ": " + j.error);
                }
            } else {
                Await.until(TIMEOUT, () -> store.tasks(id), t -> t.stream().anyMatch(m -> "EVAL".equals(m.get("stage"))),
                        "EVAL hand-off of " + id);
            }
        }
    }

    private Phase phase(String name, byte[] png, int jobs, int dragSteps) {
        List<UUID> ids = new ArrayList<>();
        Instant t0 = Instant.now();
        for (int i = 1; i <= jobs; i++) {
            ids.add(submit(png, i, dragSteps));
        }
        awaitEnd(ids);
        Instant t1 = Instant.now();
        if (!evalRuns) {
            // the end is the DENOISE record's end (the EVAL hand-off follows in the same transaction)
            t1 = ids.stream().map(id -> last(id, JobState.DENOISE).endedAt).max(Instant::compareTo).orElseThrow();
        }
        return new Phase(name, jobs, Duration.between(t0, t1), ids);
    }

    /**
     * Pure queueing overhead, from the warm-up job (every worker idle, so nothing waits for a busy worker):
     * submit -> LORA start, LORA end -> INVERT start, DENOISE end -> EVAL start, against its compute.
     */
    private void idleOverhead(UUID id) {
        JobEntity j = store.find(id).orElseThrow();
        StageRecordEntity lora = last(id, JobState.LORA);
        StageRecordEntity inv = last(id, JobState.INVERT);
        StageRecordEntity den = last(id, JobState.DENOISE);
        double submit = ms(j.createdAt, lora.startedAt);
        double h1 = ms(lora.endedAt, inv.startedAt);
        double h2 = evalRuns ? ms(den.endedAt, last(id, JobState.EVAL).startedAt) : 0;
        double compute = 0;
        for (StageRecordEntity r : store.records(id)) {
            if (r.status == StageRecordEntity.Status.DONE) {
                compute += ms(r.startedAt, r.endedAt);
            }
        }
        System.out.printf(Locale.ROOT, "[bench] idle single job (warm-up, cold JIT): submit->LORA start %.0f ms, "
                        + "LORA->INVERT %.0f ms, DENOISE->EVAL %s, compute %.0f ms; overhead / compute = %.3f%n",
                submit, h1, evalRuns ? String.format(Locale.ROOT, "%.0f ms", h2) : "n/a", compute,
                (submit + h1 + h2) / compute);
    }

    private StageRecordEntity last(UUID id, JobState step) {
        return store.records(id).stream().filter(r -> r.step == step && r.status == StageRecordEntity.Status.DONE)
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no DONE " + step + " record of " + id));
    }

    private final class Phase {
        final String name;
        final int jobs;
        final Duration wall;
        final Map<JobState, Double> stepMs = new EnumMap<>(JobState.class);
        double submitToStartMs;
        double loraToInvertMs;
        double denoiseToEvalMs = Double.NaN;
        double computeMs;

        Phase(String name, int jobs, Duration wall, List<UUID> ids) {
            this.name = name;
            this.jobs = jobs;
            this.wall = wall;
            List<JobState> steps = new ArrayList<>(List.of(JobState.LORA, JobState.INVERT, JobState.DRAG,
                    JobState.DENOISE));
            if (evalRuns) {
                steps.add(JobState.EVAL);
                denoiseToEvalMs = 0;
            }
            for (UUID id : ids) {
                JobEntity j = store.find(id).orElseThrow();
                Map<JobState, StageRecordEntity> r = new EnumMap<>(JobState.class);
                for (JobState s : steps) {
                    r.put(s, last(id, s));
                    double ms = Duration.between(r.get(s).startedAt, r.get(s).endedAt).toNanos() / 1e6;
                    stepMs.merge(s, ms / ids.size(), Double::sum);
                    computeMs += ms / ids.size();
                }
                submitToStartMs += ms(j.createdAt, r.get(JobState.LORA).startedAt) / ids.size();
                loraToInvertMs += ms(r.get(JobState.LORA).endedAt, r.get(JobState.INVERT).startedAt) / ids.size();
                if (evalRuns) {
                    denoiseToEvalMs += ms(r.get(JobState.DENOISE).endedAt, r.get(JobState.EVAL).startedAt) / ids.size();
                }
            }
        }

        double jobsPerMinute() {
            return jobs / (wall.toNanos() / 6e10);
        }

        void print() {
            System.out.printf(Locale.ROOT, "[bench] %-15s %d jobs in %.1f s = %.2f jobs/min%n", name, jobs,
                    wall.toNanos() / 1e9, jobsPerMinute());
            StringBuilder sb = new StringBuilder();
            stepMs.forEach((s, ms) -> sb.append(String.format(Locale.ROOT, " %s %.0f ms,", s, ms)));
            System.out.printf(Locale.ROOT, "[bench] %-15s mean step time:%s compute %.0f ms/job%n", name, sb, computeMs);
            double handoffs = loraToInvertMs + (Double.isNaN(denoiseToEvalMs) ? 0 : denoiseToEvalMs);
            System.out.printf(Locale.ROOT, "[bench] %-15s mean submit->LORA start %.0f ms, LORA->INVERT %.0f ms, "
                            + "DENOISE->EVAL %s (all include queue wait for a busy worker); hand-offs / compute = %.3f,"
                            + " (submit wait + hand-offs) / compute = %.3f%n", name, submitToStartMs, loraToInvertMs,
                    Double.isNaN(denoiseToEvalMs) ? "n/a" : String.format(Locale.ROOT, "%.0f ms", denoiseToEvalMs),
                    handoffs / computeMs, (submitToStartMs + handoffs) / computeMs);
        }
    }

    private static double ms(Instant a, Instant b) {
        return Duration.between(a, b).toNanos() / 1e6;
    }
}
