package io.rotationdrag.gateway.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.scheduler.Scheduled;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.sweep.SweepEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The nightly benchmark: on {@code rd.sweeps.nightly.cron} (off by default and in tests) one sweep per configured
 * dataset with the configured methods and options. Each sweep's report compares it with the previous sweep of its
 * dataset and flags regressions beyond {@code rd.sweeps.regression-threshold}.
 */
@ApplicationScoped
public class NightlySweep {
    private static final Logger LOG = LoggerFactory.getLogger(NightlySweep.class);

    @Inject
    SweepService sweeps;

    @Inject
    SweepConfig config;

    @Scheduled(identity = "nightly-sweep", cron = "${rd.sweeps.nightly.cron:off}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        run();
    }

    /** Starts the configured sweeps now; a dataset that fails is logged and the others still run. */
    public List<UUID> run() {
        return run(config.nightly().datasets().orElse(List.of()), config.nightly().methods(), config.nightly().options());
    }

    /** One NIGHTLY sweep per dataset; each is compared with the previous sweep of its dataset. */
    public List<UUID> run(List<String> datasets, List<String> methods, String optionsJson) {
        if (datasets.isEmpty()) {
            LOG.warn("nightly sweep: no datasets configured (rd.sweeps.nightly.datasets); nothing started");
            return List.of();
        }
        JsonNode options;
        try {
            options = SweepService.JSON.readTree(optionsJson);
        } catch (Exception e) {
            LOG.error("nightly sweep: rd.sweeps.nightly.options is not JSON: {}", e.getMessage());
            return List.of();
        }
        List<UUID> started = new ArrayList<>();
        for (String d : datasets) {
            try {
                SweepEntity s = sweeps.create(new SweepRequest(d, methods, options, null),
                        SweepEntity.Trigger.NIGHTLY, JobStore.SYSTEM_OWNER);
                started.add(s.id);
                LOG.info("nightly sweep {} started on {} (baseline {})", s.id, d, s.baselineSweepId);
            } catch (RuntimeException e) {
                LOG.error("nightly sweep on {} could not start: {}", d, e.getMessage(), e);
            }
        }
        return started;
    }
}
