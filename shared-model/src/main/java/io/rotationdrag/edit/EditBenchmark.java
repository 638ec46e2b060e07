package io.rotationdrag.edit;

import io.rotationdrag.diffusion.EngineOptions;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TinyModelFactory;
import io.rotationdrag.lora.LoraOptions;
import io.rotationdrag.synth.RotationBenchmark;
import io.rotationdrag.synth.RotationSample;
import io.rotationdrag.synth.SceneSampler;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Side-by-side cost of the four trackers on the same edit (one run, same model, same inputs), plus
 * rotationdrag-cached with re-inverted templates ({@link CachedTemplateSource#REINVERT}, row
 * {@code rd-cached/reinvert}) next to its default one-step templates:
 * UNet forwards/backwards, wall time per stage, drag steps, final handle distance, the ratios
 * rotationdrag-cached / rotationdrag and rotationdrag-cached / dragdiffusion, and how closely the cached tracker's
 * handle trajectory follows the paper-faithful one.
 *
 * <pre>
 *   mvn -B -q -pl shared-model compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=runtime
 *   java -cp shared-model/target/classes:$(cat /tmp/cp.txt) io.rotationdrag.edit.EditBenchmark --threads 1 \
 *       --size 64 --steps 10 --inv-steps 20 --strength 0.5 --angle 40 --stop-distance 0 --bin 5
 * </pre>
 * Options: {@code --model DIR} (default: a tiny random model written to a temp folder), {@code --size N} (working and
 * image size, default 64 for the tiny model, 512 otherwise), {@code --steps N} drag steps (20), {@code --inv-steps N}
 * and {@code --strength S} (50, 0.75), {@code --lora-steps N} (0 = off), {@code --angle DEG} (40), {@code --seed N},
 * {@code --threads N} (use 1 on a busy machine), {@code --bin DEG} (cached angle bin, 5), {@code --stop-distance D}
 * (2 cells; 0 = never stop early, so every tracker runs the same number of steps). The input is a synthetic rotation scene from {@code synth} (handle at the part's tip, target
 * turned by the angle about the pivot, the pivot given as axis, swept-region mask).
 */
public final class EditBenchmark {

    private EditBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = EditCli.parseArgs(args);
        int steps = Integer.parseInt(a.getOrDefault("steps", "20"));
        int invSteps = Integer.parseInt(a.getOrDefault("inv-steps", "50"));
        double strength = Double.parseDouble(a.getOrDefault("strength", "0.75"));
        int loraSteps = Integer.parseInt(a.getOrDefault("lora-steps", "0"));
        double angle = Double.parseDouble(a.getOrDefault("angle", "40"));
        long seed = Long.parseLong(a.getOrDefault("seed", "7"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "0"));
        Path modelDir;
        boolean tiny = !a.containsKey("model");
        if (tiny) {
            modelDir = TinyModelFactory.write(Files.createTempDirectory("rd-bench").resolve("tiny"),
                    TinyModelFactory.Spec.small(), seed);
        } else {
            modelDir = Path.of(a.get("model"));
        }
        int size = Integer.parseInt(a.getOrDefault("size", tiny ? "64" : "512"));

        RotationSample s = RotationBenchmark.sample("bench", new SceneSampler(seed).nextFitting(angle), size, angle,
                true);
        BufferedImage mask = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                mask.setRGB(x, y, s.mask()[y][x] != 0 ? 0xFFFFFF : 0);
            }
        }
        List<PointPair> pts = List.of(
                PointPair.of(s.handle().getX(), s.handle().getY(), s.target().getX(), s.target().getY()),
                PointPair.axis(s.axis().getX(), s.axis().getY()));
        DragOptions drag = DragOptions.defaults().withMaxSteps(steps)
                .withAngleBinDeg(Double.parseDouble(a.getOrDefault("bin", "5")))
                .withStopDistance(Double.parseDouble(a.getOrDefault("stop-distance", "2")));
        EditOptions base = EditOptions.defaults().withWorkingSize(size).withSeed(seed)
                .withInversion(new InversionOptions(invSteps, strength))
                .withDrag(drag)
                .withLora(loraSteps == 0 ? LoraOptions.disabled() : LoraOptions.defaults().withSteps(loraSteps));

        System.out.printf(Locale.ROOT, "model %s%s, image %dx%d, scene '%s', angle %.1f deg, handle (%.1f, %.1f) -> "
                        + "target (%.1f, %.1f), axis (%.1f, %.1f), drag steps <= %d, inversion %d of %d steps, LoRA %s, "
                        + "angle bin %.1f deg, stop distance %.1f cells%n",
                modelDir, tiny ? " (tiny random)" : "", size, size, s.prompt(), angle, s.handle().getX(),
                s.handle().getY(), s.target().getX(), s.target().getY(), s.axis().getX(), s.axis().getY(), steps,
                base.inversion().actualSteps(), invSteps, loraSteps == 0 ? "off" : loraSteps + " steps",
                drag.angleBinDeg(), drag.stopDistance());

        Map<TrackerKind, EditResult> results = new EnumMap<>(TrackerKind.class);
        EditResult reinvertCached;
        try (StableDiffusion sd = StableDiffusion.load(modelDir,
                new EngineOptions("cpu", EngineOptions.Precision.FP32, threads));
             DragEditor editor = new DragEditor(sd)) {
            // warm-up (JIT, allocator) so the first tracker is not charged for it
            editor.edit(new EditRequest(s.image(), mask, pts, s.prompt(), base.withTracker(TrackerKind.DRAGDIFFUSION)
                    .withDrag(base.drag().withMaxSteps(1))), null, null);
            for (TrackerKind k : TrackerKind.values()) {
                EditRequest r = new EditRequest(s.image(), mask, pts, s.prompt(), base.withTracker(k));
                results.put(k, editor.edit(r, null, null));
                System.out.println("  ran " + k.id());
            }
            reinvertCached = editor.edit(new EditRequest(s.image(), mask, pts, s.prompt(),
                    base.withTracker(TrackerKind.ROTATIONDRAG_CACHED).withDrag(drag.withCachedTemplateSource(
                            CachedTemplateSource.REINVERT))), null, null);
            System.out.println("  ran rotationdrag-cached with re-inverted templates");
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "%-20s %6s %6s %9s %9s %8s %8s %8s %8s %8s %8s %8s %10s%n", "tracker", "steps",
                "stop", "fwd", "bwd", "tmplFwd", "tmplN", "lora_s", "inv_s", "drag_s", "den_s", "total_s",
                "final_px");
        for (TrackerKind k : TrackerKind.values()) {
            row(k.id(), results.get(k), s);
        }
        row("rd-cached/reinvert", reinvertCached, s);
        EditResult dd = results.get(TrackerKind.DRAGDIFFUSION);
        EditResult rd = results.get(TrackerKind.ROTATIONDRAG);
        EditResult rc = results.get(TrackerKind.ROTATIONDRAG_CACHED);
        System.out.println();
        System.out.printf(Locale.ROOT, "ratio rotationdrag-cached / rotationdrag : UNet forwards %.3f, fwd+bwd %.3f, "
                        + "drag wall %.3f, total wall %.3f%n", ratio(rc.unetForwards(), rd.unetForwards()),
                ratio(rc.unetForwards() + rc.unetBackwards(), rd.unetForwards() + rd.unetBackwards()),
                ratio(wall(rc, ProgressEvent.DRAG), wall(rd, ProgressEvent.DRAG)),
                ratio(rc.totalWallMs(), rd.totalWallMs()));
        System.out.printf(Locale.ROOT, "ratio rotationdrag-cached / dragdiffusion: UNet forwards %.3f, fwd+bwd %.3f, "
                        + "drag wall %.3f, total wall %.3f%n", ratio(rc.unetForwards(), dd.unetForwards()),
                ratio(rc.unetForwards() + rc.unetBackwards(), dd.unetForwards() + dd.unetBackwards()),
                ratio(wall(rc, ProgressEvent.DRAG), wall(dd, ProgressEvent.DRAG)),
                ratio(rc.totalWallMs(), dd.totalWallMs()));
        System.out.printf(Locale.ROOT, "ratio rotationdrag        / dragdiffusion: UNet forwards %.3f, fwd+bwd %.3f, "
                        + "drag wall %.3f, total wall %.3f%n", ratio(rd.unetForwards(), dd.unetForwards()),
                ratio(rd.unetForwards() + rd.unetBackwards(), dd.unetForwards() + dd.unetBackwards()),
                ratio(wall(rd, ProgressEvent.DRAG), wall(dd, ProgressEvent.DRAG)),
                ratio(rd.totalWallMs(), dd.totalWallMs()));
        System.out.printf(Locale.ROOT, "ratio rd-cached/reinvert  / dragdiffusion: UNet forwards %.3f, fwd+bwd %.3f, "
                        + "drag wall %.3f, total wall %.3f%n", ratio(reinvertCached.unetForwards(), dd.unetForwards()),
                ratio(reinvertCached.unetForwards() + reinvertCached.unetBackwards(),
                        dd.unetForwards() + dd.unetBackwards()),
                ratio(wall(reinvertCached, ProgressEvent.DRAG), wall(dd, ProgressEvent.DRAG)),
                ratio(reinvertCached.totalWallMs(), dd.totalWallMs()));
        for (TrackerKind k : TrackerKind.values()) {
            if (k.regionMethod()) {
                EditResult g = results.get(k);
                System.out.printf(Locale.ROOT, "ratio %-18s / dragdiffusion: UNet forwards %.3f, fwd+bwd %.3f, "
                                + "total wall %.3f%n", k.id(), ratio(g.unetForwards(), dd.unetForwards()),
                        ratio(g.unetForwards() + g.unetBackwards(), dd.unetForwards() + dd.unetBackwards()),
                        ratio(g.totalWallMs(), dd.totalWallMs()));
            }
        }
        // like for like within each run: the same edit without its template forwards is a DragDiffusion run of the
        // same number of steps, so these ratios do not depend on the trackers stopping after different step counts
        System.out.println("template overhead at the same steps, (fwd) / (fwd - tmplFwd) and (fwd + bwd) / "
                + "(fwd + bwd - tmplFwd):");
        overhead("rotationdrag", rd);
        overhead("rotationdrag-cached", rc);
        overhead("rd-cached/reinvert", reinvertCached);
        System.out.println("rotationdrag-cached (one-step templates):");
        agreement(rc.outcome(), rd.outcome());
        System.out.println("rd-cached/reinvert (re-inverted templates):");
        agreement(reinvertCached.outcome(), rd.outcome());
        angles("rotationdrag", rd.outcome());
        angles("rotationdrag-cached", rc.outcome());
    }

    private static void overhead(String name, EditResult r) {
        long t = r.outcome().templateForwards();
        long f = r.unetForwards();
        long fb = f + r.unetBackwards();
        System.out.printf(Locale.ROOT, "  %-20s %d steps: forwards %.3f, fwd+bwd %.3f%n", name, r.outcome().steps(),
                ratio(f, f - t), ratio(fb, fb - t));
    }

    private static void row(String name, EditResult r, RotationSample s) {
        DragOutcome o = r.outcome();
        double[] h = o.finalHandles().get(0);
        double dist = Math.hypot(h[0] - s.target().getX(), h[1] - s.target().getY());
        System.out.printf(Locale.ROOT, "%-20s %6d %6s %9d %9d %8d %8d %8.1f %8.1f %8.1f %8.1f %8.1f %10.2f%n",
                name, o.steps(), shortStop(o.stopReason()), r.unetForwards(), r.unetBackwards(),
                o.templateForwards(), o.trackerStats().featureComputations(),
                sec(r, ProgressEvent.LORA), sec(r, ProgressEvent.INVERT), sec(r, ProgressEvent.DRAG),
                sec(r, ProgressEvent.DENOISE), r.totalWallMs() / 1000.0, dist);
    }

    /** Per-step handle distance between the cached and the paper-faithful trajectories (image pixels). */
    static void agreement(DragOutcome cached, DragOutcome paper) {
        List<List<double[]>> a = cached.trajectory();
        List<List<double[]>> b = paper.trajectory();
        int n = Math.min(a.size(), b.size());
        double sum = 0;
        double max = 0;
        int same = 0;
        int count = 0;
        List<String> per = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double stepMax = 0;
            for (int j = 0; j < a.get(i).size(); j++) {
                double[] p = a.get(i).get(j);
                double[] q = b.get(i).get(j);
                double d = Math.hypot(p[0] - q[0], p[1] - q[1]);
                sum += d;
                max = Math.max(max, d);
                stepMax = Math.max(stepMax, d);
                count++;
                if (d < 1e-9) {
                    same++;
                }
            }
            per.add(String.format(Locale.ROOT, "%.1f", stepMax));
        }
        System.out.printf(Locale.ROOT, "tracking agreement rotationdrag-cached vs rotationdrag over %d common "
                        + "iterations (%d vs %d): identical positions %d/%d, mean distance %.2f px, max %.2f px%n",
                n, a.size(), b.size(), same, count, count == 0 ? 0 : sum / count, max);
        System.out.println("  per-iteration max distance (px): " + String.join(" ", per));
    }

    static void angles(String name, DragOutcome o) {
        StringBuilder b = new StringBuilder();
        for (double[] a : o.angles()) {
            b.append(String.format(Locale.ROOT, "%.1f ", a[0]));
        }
        System.out.println("  handle angle per iteration, " + name + " (deg): " + b.toString().trim());
    }

    private static String shortStop(String s) {
        return switch (s) {
            case "REACHED" -> "reach";
            case "MAX_STEPS" -> "max";
            default -> "none";
        };
    }

    private static double sec(EditResult r, String stage) {
        return wall(r, stage) / 1000.0;
    }

    private static long wall(EditResult r, String stage) {
        return r.stageWallMs().getOrDefault(stage, 0L);
    }

    private static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }
}
