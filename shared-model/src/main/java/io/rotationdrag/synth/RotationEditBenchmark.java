package io.rotationdrag.synth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.unet.UNetRequest;
import io.rotationdrag.edit.Cancellation;
import io.rotationdrag.edit.DragEditor;
import io.rotationdrag.edit.DragOutcome;
import io.rotationdrag.edit.Inversion;
import io.rotationdrag.edit.InversionOptions;
import io.rotationdrag.edit.EditOptions;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.PointPair;
import io.rotationdrag.edit.TrackerKind;
import io.rotationdrag.eval.FeatureGrid;
import io.rotationdrag.eval.HandleTarget;
import io.rotationdrag.eval.MaskedPsnr;
import io.rotationdrag.eval.MaskedSsim;
import io.rotationdrag.eval.MeanDistance;
import io.rotationdrag.eval.PixelMask;
import io.rotationdrag.eval.SsimOptions;
import io.rotationdrag.lora.LoraOptions;
import io.rotationdrag.lora.LoraWeights;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the drag editor with each tracker on rotation-benchmark samples and scores the edits against the known
 * ground truth:
 * <ul>
 *   <li>MD-like handle distance: the handle's content located in the edit by nearest-neighbour matching of the
 *       model's own DIFT-style features (UNet up-block 1 at t = 261, mean over 8 noise draws, as method.md's MD
 *       recipe with this model), distance to the target in pixels ({@link MeanDistance});</li>
 *   <li>tracked distance: where the tracker itself ended, distance to the target;</li>
 *   <li>PSNR and SSIM against the ground truth inside the sample's mask ({@link MaskedPsnr}, {@link MaskedSsim}).</li>
 * </ul>
 * The unedited source against the ground truth is reported as the "no edit" row. Usage:
 * {@code RotationEditBenchmark <outDir> [modelDir|embedded] [count=40] [trackers=all] [dragSteps=80]
 * [loraSteps=0] [seed=REPORTING_SEED] [ddimSteps=50]}; edited images go to {@code outDir/<tracker>/<id>.png}.
 */
public final class RotationEditBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(RotationEditBenchmark.class);

    /** Scores of one edit. */
    public record Score(String id, String tracker, double angleDeg, double md, double trackedDistance, double psnr,
                        double ssim, double seconds, int dragSteps) {
    }

    /** Edits of the last {@link #run} that threw (sample/tracker: message). */
    static final List<String> failures = new ArrayList<>();

    private RotationEditBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: RotationEditBenchmark <outDir> [modelDir|embedded] [count=40] "
                    + "[trackers=dragdiffusion,rotationdrag,rotationdrag-cached,freedrag] [dragSteps=80] [loraSteps=0] "
                    + "[seed=" + RotationBenchmark.REPORTING_SEED + "] [ddimSteps=50]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Path model = args.length > 1 && !args[1].equals("embedded") ? Path.of(args[1]) : EmbeddedModel.locate();
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        List<TrackerKind> trackers = new ArrayList<>();
        String spec = args.length > 3 ? args[3] : "all";
        for (TrackerKind k : TrackerKind.values()) {
            if (spec.equals("all") || List.of(spec.split(",")).contains(k.id())) {
                trackers.add(k);
            }
        }
        int dragSteps = args.length > 4 ? Integer.parseInt(args[4]) : 80;
        int loraSteps = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        long seed = args.length > 6 ? Long.parseLong(args[6]) : RotationBenchmark.REPORTING_SEED;
        int ddimSteps = args.length > 7 ? Integer.parseInt(args[7]) : 50;
        try (StableDiffusion sd = StableDiffusion.load(model)) {
            int size = sd.vae().config().sampleSize();
            List<RotationSample> samples = RotationBenchmark.generate(count, seed, size,
                    RotationBenchmark.AxisMode.ALTERNATE);
            List<Score> scores = run(sd, samples, trackers, dragSteps, loraSteps, ddimSteps, out);
            System.out.println(format(scores, samples, sd, model, seed, dragSteps, loraSteps, ddimSteps));
        }
    }

    public static List<Score> run(StableDiffusion sd, List<RotationSample> samples, List<TrackerKind> trackers,
                                  int dragSteps, int loraSteps, int ddimSteps, Path out) throws IOException {
        List<Score> scores = new ArrayList<>();
        failures.clear();
        DragEditor editor = new DragEditor(sd);
        for (RotationSample s : samples) {
            FeatureGrid srcFeat = diftFeatures(sd, s.image(), s.prompt());
            // LoRA and inversion do not depend on the tracker: run them once per sample, then drag + denoise per tracker
            EditRequest base = request(s, options(trackers.get(0), s.size(), dragSteps, loraSteps, ddimSteps));
            long t0 = System.nanoTime();
            LoraWeights lora = editor.trainLora(base, e -> { }, Cancellation.NONE);
            Inversion inv = editor.invert(base, lora, e -> { }, Cancellation.NONE);
            double shared = (System.nanoTime() - t0) / 1e9;
            for (TrackerKind k : trackers) {
                EditRequest r = base.withOptions(options(k, s.size(), dragSteps, loraSteps, ddimSteps));
                long t1 = System.nanoTime();
                DragOutcome d;
                BufferedImage edited;
                try {
                    d = editor.drag(r, lora, inv, e -> { }, Cancellation.NONE);
                    edited = editor.denoise(r, lora, inv, d, e -> { }, Cancellation.NONE);
                } catch (RuntimeException ex) {
                    // a failed edit is counted and reported, not dropped silently, and the run goes on
                    LOG.error("edit FAILED {}/{} ({} deg): {}", s.id(), k.id(), fmt(s.angleDeg()), ex.toString());
                    failures.add(s.id() + "/" + k.id() + ": " + ex.getMessage());
                    continue;
                }
                double secs = (System.nanoTime() - t1) / 1e9;
                Path dir = Files.createDirectories(out.resolve(k.id()));
                ImageIO.write(edited, "png", dir.resolve(s.id() + ".png").toFile());
                double md = MeanDistance.mean(MeanDistance.MD,
                        MeanDistance.match(srcFeat, diftFeatures(sd, edited, s.prompt()), handleTargets(s)), false)
                        .value();
                double[] fin = d.finalHandles().get(0);
                double tracked = Math.hypot(fin[0] - s.target().getX(), fin[1] - s.target().getY());
                PixelMask region = mask(s);
                double psnr = MaskedPsnr.compute("psnr", edited, s.groundTruth(), region).value();
                double ssim = MaskedSsim.compute("ssim", edited, s.groundTruth(), region, SsimOptions.defaults())
                        .value();
                Score sc = new Score(s.id(), k.id(), s.angleDeg(), md, tracked, psnr, ssim, secs, d.steps());
                scores.add(sc);
                LOG.info("edit {}/{} {} ({} deg): MD {} px, tracked {} px, PSNR {} dB, SSIM {}, {} drag steps ({}), "
                                + "{} s (+ {} s shared LoRA/inversion)", scores.size(), samples.size() * trackers.size(),
                        s.id() + "/" + k.id(), fmt(s.angleDeg()), fmt(md), fmt(tracked), fmt(psnr), fmt(ssim),
                        d.steps(), d.stopReason(), fmt(secs), fmt(shared));
            }
        }
        return scores;
    }

    static EditOptions options(TrackerKind k, int size, int dragSteps, int loraSteps, int ddimSteps) {
        EditOptions o = EditOptions.defaults().withTracker(k).withWorkingSize(size).withMinImageSide(Math.min(64, size));
        o = o.withInversion(new InversionOptions(ddimSteps, o.inversion().strength()));
        o = o.withDrag(o.drag().withMaxSteps(dragSteps));
        LoraOptions lora = loraSteps <= 0 ? LoraOptions.disabled() : o.lora().withSteps(loraSteps);
        return o.withLora(lora);
    }

    static EditRequest request(RotationSample s, EditOptions o) {
        List<PointPair> pts = new ArrayList<>();
        pts.add(PointPair.of(s.handle().getX(), s.handle().getY(), s.target().getX(), s.target().getY()));
        if (s.axisGiven()) {
            pts.add(PointPair.axis(s.axis().getX(), s.axis().getY()));
        }
        return new EditRequest(s.image(), maskImage(s), pts, s.prompt(), o);
    }

    static BufferedImage maskImage(RotationSample s) {
        BufferedImage m = new BufferedImage(s.size(), s.size(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < s.size(); y++) {
            for (int x = 0; x < s.size(); x++) {
                m.setRGB(x, y, s.mask()[y][x] != 0 ? 0xFFFFFF : 0);
            }
        }
        return m;
    }

    static PixelMask mask(RotationSample s) {
        boolean[] a = new boolean[s.size() * s.size()];
        for (int y = 0; y < s.size(); y++) {
            for (int x = 0; x < s.size(); x++) {
                a[y * s.size() + x] = s.mask()[y][x] != 0;
            }
        }
        return PixelMask.of(s.size(), s.size(), a);
    }

    static List<HandleTarget> handleTargets(RotationSample s) {
        return List.of(new HandleTarget(s.handle().getX(), s.handle().getY(), s.target().getX(), s.target().getY()));
    }

    /** DIFT-style features of one image with this model: up-block 1 at t = 261, mean over 8 seeded noise draws. */
    static FeatureGrid diftFeatures(StableDiffusion sd, BufferedImage img, String prompt) {
        int size = img.getWidth(), copies = 8, t = 261;
        try (NDManager m = sd.manager().newSubManager()) {
            float[] px = new float[3 * size * size];
            TrackingAccuracyTable.toPixels(img, px, 0);
            NDArray x = m.create(px, new Shape(1, 3, size, size));
            NDArray z0 = sd.vae().encode(x).mean().mul((float) sd.vae().scalingFactor());
            Shape one = z0.getShape();
            NDArray noise = m.create(io.rotationdrag.diffusion.vae.DiagonalGaussian.gaussian(261,
                    (int) one.size() * copies), new Shape(copies, one.get(1), one.get(2), one.get(3)));
            NDArray zt = sd.scheduler().addNoise(z0.repeat(0, copies), noise, t);
            NDArray f = sd.unet().forward(zt, t, sd.encodePrompt(m, prompt), UNetRequest.featuresOnly(1)).upBlock(1)
                    .mean(new int[]{0}).toType(DataType.FLOAT32, false);
            Shape fs = f.getShape();
            return new FeatureGrid((int) fs.get(0), (int) fs.get(1), (int) fs.get(2), f.toFloatArray(), size, size);
        }
    }

    public static String format(List<Score> scores, List<RotationSample> samples, StableDiffusion sd, Path model,
                                long seed, int dragSteps, int loraSteps, int ddimSteps) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Rotation edit benchmark: model %s, %d samples (seed %d), drag max %d "
                + "steps, LoRA %s, DDIM %d steps (strength 0.75); s/edit = drag + denoise (LoRA/inversion shared)%n",
                model, samples.size(), seed, dragSteps, loraSteps <= 0 ? "off" : loraSteps + " steps", ddimSteps));
        sb.append("| tracker | edits | MD-like (px) | tracked dist (px) | PSNR in mask (dB) | SSIM in mask | drag steps | s/edit |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        // the unedited source against the ground truth: what "no edit" scores
        double ps = 0, ss = 0, md0 = 0;
        for (RotationSample s : samples) {
            ps += MaskedPsnr.compute("psnr", s.image(), s.groundTruth(), mask(s)).value();
            ss += MaskedSsim.compute("ssim", s.image(), s.groundTruth(), mask(s), SsimOptions.defaults()).value();
            md0 += Math.hypot(s.handle().getX() - s.target().getX(), s.handle().getY() - s.target().getY());
        }
        int n0 = samples.size();
        sb.append(String.format(Locale.ROOT, "| (no edit: source vs truth) | %d | %.2f (handle-target) | - | %.2f | %.3f | - | - |%n",
                n0, md0 / n0, ps / n0, ss / n0));
        Map<String, List<Score>> by = new LinkedHashMap<>();
        for (Score s : scores) {
            by.computeIfAbsent(s.tracker(), k -> new ArrayList<>()).add(s);
        }
        for (Map.Entry<String, List<Score>> e : by.entrySet()) {
            List<Score> l = e.getValue();
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.3f | %.1f | %.1f |%n", e.getKey(),
                    l.size(), l.stream().mapToDouble(Score::md).average().orElse(Double.NaN),
                    l.stream().mapToDouble(Score::trackedDistance).average().orElse(Double.NaN),
                    l.stream().mapToDouble(Score::psnr).average().orElse(Double.NaN),
                    l.stream().mapToDouble(Score::ssim).average().orElse(Double.NaN),
                    l.stream().mapToInt(Score::dragSteps).average().orElse(Double.NaN),
                    l.stream().mapToDouble(Score::seconds).average().orElse(Double.NaN)));
        }
        sb.append(String.format(Locale.ROOT, "failed edits: %d%s%n", failures.size(),
                failures.isEmpty() ? "" : " " + failures));
        return sb.toString();
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
