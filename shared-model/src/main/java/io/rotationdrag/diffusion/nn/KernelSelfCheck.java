package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up self-check of the convolution backward, once per process: a few float32 probes against float64
 * ({@link KernelProbe}), through the raw libtorch kernel and through {@link ConvGuard}. A raw defect is logged
 * loudly (the guard covers it); if the guard itself disagrees, its output-channel block is widened (16 -> 32 -> 64)
 * until every probe agrees, so that another CPU or a libtorch upgrade cannot bring wrong gradients back silently.
 * If no block helps the report says FAILED and the services' health reports it DOWN.
 */
public final class KernelSelfCheck {
    private static final Logger LOG = LoggerFactory.getLogger(KernelSelfCheck.class);
    private static final int[] BLOCKS = {ConvGuard.DEFAULT_BLOCK, 32, 64};
    private static final int REPEATS = 2;
    private static volatile Report report;

    /** The convolutions with few output channels that the models use, and one wide control. */
    static final List<KernelProbe.ConvShape> PROBES = List.of(
            new KernelProbe.ConvShape("unet conv_out", 32, 4, 3, 1, 1, 32),
            new KernelProbe.ConvShape("unet conv_out batch 4", 4, 32, 4, 3, 1, 1, 16),
            new KernelProbe.ConvShape("vae decoder conv_out", 16, 3, 3, 1, 1, 64),
            new KernelProbe.ConvShape("vae encoder conv_out", 64, 8, 3, 1, 1, 32),
            new KernelProbe.ConvShape("vae quant_conv", 8, 8, 1, 1, 0, 32),
            new KernelProbe.ConvShape("odd width", 24, 20, 3, 1, 1, 32),
            new KernelProbe.ConvShape("wide control", 32, 32, 3, 1, 1, 16));

    private KernelSelfCheck() {
    }

    /** One probe's worst relative gradient error (over dx, dW, db) raw and guarded. */
    public record Probe(String where, String shape, double rawError, double guardedError) {
        public boolean rawOk() {
            return rawError <= KernelProbe.TOLERANCE;
        }

        public boolean guardedOk() {
            return guardedError <= KernelProbe.TOLERANCE;
        }
    }

    /**
     * @param status OK (guarded kernels agree; {@code rawDefect} says whether the guard was needed), WIDENED (the
     *               default block did not suffice and a wider one does), FAILED (no block makes them agree) or
     *               OVERRIDDEN[_OFF] (the block was fixed by {@code -Drotationdrag.conv.block}; nothing was probed)
     */
    public record Report(String status, int block, boolean rawDefect, List<Probe> probes, long millis) {
        /** True when float32 convolution gradients are right in this process (guarded, widened or not needed). */
        public boolean ok() {
            return "OK".equals(status) || "WIDENED".equals(status);
        }

        public String summary() {
            return String.format("conv backward self-check %s: guard block %d, raw float32 kernel %s, %d probes, %d ms",
                    status, block, rawDefect ? "WRONG on this CPU (guarded)" : "correct", probes.size(), millis);
        }
    }

    /** The report of this process, running the probes on the first call. */
    public static Report ensure() {
        Report r = report;
        if (r == null) {
            synchronized (KernelSelfCheck.class) {
                r = report;
                if (r == null) {
                    r = run();
                    report = r;
                }
            }
        }
        return r;
    }

    /** The report if the check has run, else null. */
    public static Report last() {
        return report;
    }

    /** Runs the probes now (tests, benchmarks) and installs the block it finds. */
    public static synchronized Report run() {
        long t0 = System.nanoTime();
        int initial = ConvGuard.block();
        if (initial != ConvGuard.DEFAULT_BLOCK) {
            // an explicit override (an A/B measurement with the guard off): report, change nothing
            LOG.warn("ConvGuard block set to {} by -Drotationdrag.conv.block: the self-check does not change it; "
                    + "float32 convolution gradients may be WRONG in this process", initial);
            Report r = new Report(initial == 1 ? "OVERRIDDEN_OFF" : "OVERRIDDEN", initial, false, List.of(), 0);
            return r;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            List<Probe> probes = new ArrayList<>();
            boolean rawDefect = false;
            for (int blk : BLOCKS) {
                ConvGuard.setBlock(blk);
                probes.clear();
                boolean allOk = true;
                for (int i = 0; i < PROBES.size(); i++) {
                    KernelProbe.ConvShape s = PROBES.get(i);
                    double raw = max(s.errors(m, false, 11 + i, REPEATS));
                    double guarded = max(s.errors(m, true, 11 + i, REPEATS));
                    Probe p = new Probe(s.where(), s.label().trim(), raw, guarded);
                    probes.add(p);
                    rawDefect |= !p.rawOk();
                    allOk &= p.guardedOk();
                }
                if (allOk) {
                    String status = blk == ConvGuard.DEFAULT_BLOCK ? "OK" : "WIDENED";
                    Report r = new Report(status, blk, rawDefect, List.copyOf(probes), ms(t0));
                    log(r);
                    return r;
                }
            }
            ConvGuard.setBlock(Math.max(initial, BLOCKS[BLOCKS.length - 1]));
            Report r = new Report("FAILED", ConvGuard.block(), rawDefect, List.copyOf(probes), ms(t0));
            log(r);
            return r;
        }
    }

    private static void log(Report r) {
        if (!r.ok()) {
            LOG.error("{}: float32 convolution gradients are WRONG on this CPU/libtorch even with the guard; "
                    + "training and drag results are not to be trusted. Probes: {}", r.summary(), r.probes());
        } else if (r.rawDefect() || !"OK".equals(r.status())) {
            List<Probe> bad = r.probes().stream().filter(p -> !p.rawOk()).toList();
            LOG.warn("{}. The raw libtorch float32 convolution backward is wrong here for {} (worst relative error "
                    + "{}); ConvGuard pads output channels to a multiple of {} and agrees with float64.",
                    r.summary(), bad.stream().map(Probe::where).toList(),
                    bad.stream().mapToDouble(Probe::rawError).max().orElse(0), r.block());
        } else {
            LOG.info(r.summary());
        }
    }

    private static double max(double[] e) {
        double m = 0;
        for (double v : e) {
            m = Math.max(m, Double.isNaN(v) ? Double.POSITIVE_INFINITY : v);
        }
        return m;
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
