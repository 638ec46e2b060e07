package io.rotationdrag.synth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.unet.UNetRequest;
import io.rotationdrag.edit.Cancellation;
import io.rotationdrag.edit.DragEditor;
import io.rotationdrag.edit.DragOutcome;
import io.rotationdrag.edit.EditOptions;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.Inversion;
import io.rotationdrag.edit.InversionOptions;
import io.rotationdrag.edit.PointPair;
import io.rotationdrag.edit.TrackerKind;
import io.rotationdrag.eval.FeatureMap;
import io.rotationdrag.eval.HandleTarget;
import io.rotationdrag.eval.MaskedPsnr;
import io.rotationdrag.eval.MaskedSsim;
import io.rotationdrag.eval.MeanDistance;
import io.rotationdrag.eval.PixelMask;
import io.rotationdrag.eval.RotationAngleMetric;
import io.rotationdrag.eval.RotationAngleResult;
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
 *   <li>PSNR and SSIM against the ground truth inside the sample's mask ({@link MaskedPsnr}, {@link MaskedSsim});</li>
 *   <li>the angle the part shows in the edit ({@link RotationAngleMetric} with the scene re-rendered at each
 *       candidate angle, {@link SceneTemplates}), its error against the requested turn, the match quality and
 *       whether the match is accepted as a turn at all (a smeared edit is scored as not turned).</li>
 * </ul>
 * The unedited source against the ground truth is reported as the "no edit" row, the ground truth scored by the
 * angle metric as the metric's floor. Usage:
 * {@code RotationEditBenchmark <outDir> [modelDir|embedded] [count=40] [trackers=all] [dragSteps=80]
 * [loraSteps=0] [seed=REPORTING_SEED] [ddimSteps=50] [shard=0/1]}; edited images go to
 * {@code outDir/<tracker>/<id>.png} (and source | truth | every tracker side by side in {@code outDir/montage/<id>.png})
 * and every score (and failure) as one line to {@code outDir/scores.csv}, written as
 * it is measured. {@code shard k/n} edits only the samples with index % n == k, so n processes on n cores share one
 * benchmark; {@code RotationEditBenchmark --summarize <dir>...} prints the tables over the shards' score files;
 * {@code RotationEditBenchmark --rescore <dir> [count] [seed] [size]} adds the angle metric to a finished run from its
 * edited images ({@code dir/scores_angle.csv}).
 */
public final class RotationEditBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(RotationEditBenchmark.class);

    /** Label of the unedited source scored against the ground truth. */
    static final String NO_EDIT = "(no edit: source vs truth)";
    /** Label of the ground truth scored by the angle metric: the metric's own floor. */
    static final String GROUND_TRUTH = "(ground truth: angle-metric floor)";
    /**
     * Label of a run with 0 drag steps: LoRA + inversion + denoise only, the control that separates what the drag
     * does from what the pipeline's round trip does (every tracker is the same then, so only the first runs).
     */
    static final String RECONSTRUCTION = "reconstruction (0 drag steps)";

    /**
     * Scores of one edit; {@code failure} is null for a scored edit and the message of an edit that threw (then
     * the numbers are NaN). The {@link #NO_EDIT} row has md = handle-target distance and no tracked distance; the
     * {@link #GROUND_TRUTH} row has only the angle metric (its floor). The angle metric
     * ({@link RotationAngleMetric} with re-rendered templates, {@link SceneTemplates}): {@code angleRecovered} the
     * angle the part shows, {@code angleError} the scored error (|recovered - requested| wrapped, or |requested| when
     * the match is rejected as not a turn), {@code matchCorrelation} / {@code matchContrast} its quality and
     * {@code turn} 1 (accepted) or 0 (rejected); NaN where not measured (score files written before the metric).
     */
    public record Score(String id, String tracker, double angleDeg, double md, double trackedDistance, double psnr,
                        double ssim, double seconds, int dragSteps, double angleRecovered, double angleError,
                        double matchCorrelation, double matchContrast, double turn, String failure) {

        static final String CSV_HEADER = "id,tracker,angle_deg,md_px,tracked_px,psnr_db,ssim,seconds,drag_steps,"
                + "angle_recovered_deg,angle_error_deg,match_corr,match_contrast,is_turn,failure";
        /** Columns of score files written before the angle metric. */
        static final int OLD_COLUMNS = 10;
        static final int COLUMNS = 15;

        /** A score without the angle metric. */
        public Score(String id, String tracker, double angleDeg, double md, double trackedDistance, double psnr,
                     double ssim, double seconds, int dragSteps, String failure) {
            this(id, tracker, angleDeg, md, trackedDistance, psnr, ssim, seconds, dragSteps, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, failure);
        }

        static Score failed(String id, String tracker, double angleDeg, String message) {
            return new Score(id, tracker, angleDeg, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0,
                    message == null ? "failed" : message);
        }

        /** This score with the angle metric's result. */
        Score withAngle(RotationAngleResult r) {
            return new Score(id, tracker, angleDeg, md, trackedDistance, psnr, ssim, seconds, dragSteps,
                    r.recoveredDeg(), r.scoredErrorDeg(), r.bestCorrelation(), r.contrast(), r.turn() ? 1 : 0,
                    failure);
        }

        boolean ok() {
            return failure == null;
        }

        String csv() {
            String f = failure == null ? "" : failure.replaceAll("[,\\r\\n]+", ";");
            return String.join(",", id, tracker, num(angleDeg), num(md), num(trackedDistance), num(psnr), num(ssim),
                    num(seconds), Integer.toString(dragSteps), num(angleRecovered), num(angleError),
                    num(matchCorrelation), num(matchContrast), num(turn), f);
        }

        static Score parse(String line) {
            String[] c = line.split(",", -1);
            if (c.length != COLUMNS && c.length != OLD_COLUMNS) {
                throw new IllegalArgumentException("not a score line (" + COLUMNS + " columns, or " + OLD_COLUMNS
                        + " before the angle metric): " + line);
            }
            String failure = c[c.length - 1].isEmpty() ? null : c[c.length - 1];
            Score sc = new Score(c[0], c[1], Double.parseDouble(c[2]), Double.parseDouble(c[3]),
                    Double.parseDouble(c[4]), Double.parseDouble(c[5]), Double.parseDouble(c[6]),
                    Double.parseDouble(c[7]), Integer.parseInt(c[8]), failure);
            if (c.length == OLD_COLUMNS) {
                return sc;
            }
            return new Score(sc.id, sc.tracker, sc.angleDeg, sc.md, sc.trackedDistance, sc.psnr, sc.ssim, sc.seconds,
                    sc.dragSteps, Double.parseDouble(c[9]), Double.parseDouble(c[10]), Double.parseDouble(c[11]),
                    Double.parseDouble(c[12]), Double.parseDouble(c[13]), failure);
        }

        private static String num(double v) {
            return Double.toString(v);
        }
    }

    private RotationEditBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 2 && args[0].equals("--summarize")) {
            Map<String, Score> byKey = new LinkedHashMap<>();
            for (int i = 1; i < args.length; i++) {
                // a control run beside the benchmark scores the same no-edit rows again: keep one per sample
                Path given = Path.of(args[i]);
                // a run folder (its scores.csv) or a score file itself (e.g. a rescored scores_angle.csv)
                readScores(Files.isRegularFile(given) ? given : given.resolve(SCORES)).forEach(sc -> byKey.putIfAbsent(sc.id() + "/" + sc.tracker(), sc));
            }
            List<Score> all = new ArrayList<>(byKey.values());
            System.out.println(format(all, "summary of " + String.join(" ", List.of(args).subList(1, args.length))));
            return;
        }
        if (args.length >= 2 && args[0].equals("--rescore")) {
            Path dir = Path.of(args[1]);
            int count = args.length > 2 ? Integer.parseInt(args[2]) : 40;
            long seed = args.length > 3 ? Long.parseLong(args[3]) : RotationBenchmark.REPORTING_SEED;
            int size = args.length > 4 ? Integer.parseInt(args[4]) : 64;
            List<Score> scores = rescore(dir, RotationBenchmark.generate(count, seed, size,
                    RotationBenchmark.AxisMode.ALTERNATE));
            System.out.println(format(scores, "angle metric added to " + dir + " (written to " + RESCORED + ")"));
            return;
        }
        if (args.length < 1) {
            System.err.println("usage: RotationEditBenchmark <outDir> [modelDir|embedded] [count=40] "
                    + "[trackers=" + TrackerKind.ids(",") + "] [dragSteps=80] [loraSteps=0] "
                    + "[seed=" + RotationBenchmark.REPORTING_SEED + "] [ddimSteps=50] [shard=0/1]\n"
                    + "       RotationEditBenchmark --summarize <outDir|scores file>...\n"
                    + "       RotationEditBenchmark --rescore <outDir> [count=40] [seed] [size=64]");
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
        int[] shard = parseShard(args.length > 8 ? args[8] : "0/1");
        try (StableDiffusion sd = StableDiffusion.load(model)) {
            int size = sd.vae().config().sampleSize();
            List<RotationSample> all = RotationBenchmark.generate(count, seed, size,
                    RotationBenchmark.AxisMode.ALTERNATE);
            List<RotationSample> samples = new ArrayList<>();
            for (int i = shard[0]; i < all.size(); i += shard[1]) {
                samples.add(all.get(i));
            }
            String title = String.format(Locale.ROOT, "Rotation edit benchmark: model %s, %d samples (seed %d%s), "
                            + "drag max %d steps, LoRA %s, DDIM %d steps (strength 0.75); s/edit = drag + denoise "
                            + "(LoRA/inversion shared)", model, samples.size(), seed,
                    shard[1] == 1 ? "" : ", shard " + shard[0] + "/" + shard[1], dragSteps,
                    loraSteps <= 0 ? "off" : loraSteps + " steps", ddimSteps);
            List<Score> scores = run(sd, samples, trackers, dragSteps, loraSteps, ddimSteps, out);
            System.out.println(format(scores, title));
        }
    }

    static int[] parseShard(String spec) {
        String[] p = spec.split("/");
        try {
            int k = Integer.parseInt(p[0]);
            int n = Integer.parseInt(p[1]);
            if (p.length == 2 && n >= 1 && k >= 0 && k < n) {
                return new int[]{k, n};
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("shard must be k/n with 0 <= k < n, got '" + spec + "'");
    }

    static final String SCORES = "scores.csv";

    static List<Score> readScores(Path csv) throws IOException {
        List<Score> l = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            // header lines: this one or the one before the angle metric
            if (!line.isBlank() && !line.startsWith("id,tracker,")) {
                l.add(Score.parse(line));
            }
        }
        return l;
    }

    /** The unedited source against the truth: md = handle-target distance, PSNR/SSIM of the source in the mask. */
    static Score noEdit(RotationSample s) {
        PixelMask region = mask(s);
        return new Score(s.id(), NO_EDIT, s.angleDeg(),
                Math.hypot(s.handle().getX() - s.target().getX(), s.handle().getY() - s.target().getY()), Double.NaN,
                MaskedPsnr.compute("psnr", s.image(), s.groundTruth(), region).value(),
                MaskedSsim.compute("ssim", s.image(), s.groundTruth(), region, SsimOptions.defaults()).value(),
                0, 0, null).withAngle(angle(s, s.image()));
    }

    /** The ground truth scored by the angle metric alone: the floor the metric reaches on a perfect edit. */
    static Score groundTruth(RotationSample s) {
        return new Score(s.id(), GROUND_TRUTH, s.angleDeg(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0,
                null).withAngle(angle(s, s.groundTruth()));
    }

    /**
     * The angle the sample's part shows in {@code image}: the scene re-rendered with the part at each candidate
     * angle, compared inside the sample's mask; requested = the sample's angle (handle to target about the pivot).
     */
    static RotationAngleResult angle(RotationSample s, BufferedImage image) {
        return RotationAngleMetric.measure(SceneTemplates.of(s), image, mask(s), s.angleDeg());
    }

    /** Score file {@link #rescore} writes beside the original. */
    static final String RESCORED = "scores_angle.csv";

    /**
     * Adds the angle metric to a finished run's scores without editing again: each scored row's edited image is
     * read back from {@code dir/<tracker>/<id>.png} ({@code reconstruction/} for the 0-step control), the no-edit
     * row is scored on the source, and a ground-truth row is added per sample. {@code samples} must be the run's
     * (same count, seed and size: each row's angle is checked). Writes {@code dir/scores_angle.csv}; the original
     * file is left as it is.
     */
    static List<Score> rescore(Path dir, List<RotationSample> samples) throws IOException {
        Map<String, RotationSample> byId = new LinkedHashMap<>();
        samples.forEach(s -> byId.put(s.id(), s));
        List<Score> out = new ArrayList<>();
        java.util.Set<String> truthAdded = new java.util.HashSet<>();
        for (Score sc : readScores(dir.resolve(SCORES))) {
            RotationSample s = byId.get(sc.id());
            if (s == null || Math.abs(s.angleDeg() - sc.angleDeg()) > 1e-9) {
                throw new IllegalArgumentException("row " + sc.id() + "/" + sc.tracker() + " (" + sc.angleDeg()
                        + " deg) is not a sample of the given count/seed/size"
                        + (s == null ? "" : " (that sample turns " + s.angleDeg() + " deg)"));
            }
            if (sc.tracker().equals(GROUND_TRUTH)) {
                continue;
            }
            if (sc.tracker().equals(NO_EDIT)) {
                out.add(sc.withAngle(angle(s, s.image())));
            } else if (sc.ok()) {
                String folder = sc.tracker().equals(RECONSTRUCTION) ? "reconstruction" : sc.tracker();
                Path png = dir.resolve(folder).resolve(sc.id() + ".png");
                BufferedImage edited = ImageIO.read(png.toFile());
                if (edited == null) {
                    throw new IOException("not an image: " + png);
                }
                out.add(sc.withAngle(angle(s, edited)));
            } else {
                out.add(sc);
            }
            if (truthAdded.add(s.id())) {
                out.add(groundTruth(s));
            }
        }
        StringBuilder csv = new StringBuilder(Score.CSV_HEADER).append('\n');
        out.forEach(sc -> csv.append(sc.csv()).append('\n'));
        Files.writeString(dir.resolve(RESCORED), csv);
        return out;
    }

    /** A no-edit row from its numbers (tests). */
    static Score noEditLike(String id, double angleDeg, double psnr, double ssim) {
        return new Score(id, NO_EDIT, angleDeg, 18, Double.NaN, psnr, ssim, 0, 0, null);
    }

    /** Folder under the output with one {@link EditMontage} row per sample. */
    static final String MONTAGE_DIR = "montage";

    /** Edits every sample with every tracker; each score is appended to {@code out/scores.csv} as it is made. */
    public static List<Score> run(StableDiffusion sd, List<RotationSample> samples, List<TrackerKind> trackers,
                                  int dragSteps, int loraSteps, int ddimSteps, Path out) throws IOException {
        if (trackers.isEmpty()) {
            throw new IllegalArgumentException("no tracker to run");
        }
        List<Score> scores = new ArrayList<>();
        DragEditor editor = new DragEditor(sd);
        Files.createDirectories(out);
        Path csv = out.resolve(SCORES);
        Files.writeString(csv, Score.CSV_HEADER + "\n");
        java.util.function.Consumer<Score> record = sc -> {
            scores.add(sc);
            try {
                Files.writeString(csv, sc.csv() + "\n", java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        if (dragSteps == 0) {
            trackers = trackers.subList(0, 1);
        }
        int edits = samples.size() * trackers.size();
        int done = 0;
        for (RotationSample s : samples) {
            record.accept(noEdit(s));
            record.accept(groundTruth(s));
            FeatureMap srcFeat = diftFeatures(sd, s.image(), s.prompt());
            // LoRA and inversion do not depend on the tracker: run them once per sample, then drag + denoise per tracker
            EditRequest base = request(s, options(trackers.get(0), s.size(), dragSteps, loraSteps, ddimSteps));
            long t0 = System.nanoTime();
            LoraWeights lora = editor.trainLora(base, e -> { }, Cancellation.NONE);
            Inversion inv = editor.invert(base, lora, e -> { }, Cancellation.NONE);
            double shared = (System.nanoTime() - t0) / 1e9;
            List<String> labels = new ArrayList<>();
            List<BufferedImage> panels = new ArrayList<>();
            for (TrackerKind k : trackers) {
                String label = dragSteps == 0 ? RECONSTRUCTION : k.id();
                labels.add(label);
                panels.add(null);
                EditRequest r = base.withOptions(options(k, s.size(), dragSteps, loraSteps, ddimSteps));
                long t1 = System.nanoTime();
                DragOutcome d;
                BufferedImage edited;
                try {
                    d = editor.drag(r, lora, inv, e -> { }, Cancellation.NONE);
                    edited = editor.denoise(r, lora, inv, d, e -> { }, Cancellation.NONE);
                } catch (RuntimeException ex) {
                    // a failed edit is counted and reported, not dropped silently, and the run goes on
                    done++;
                    LOG.error("edit {}/{} FAILED {}/{} ({} deg): {}", done, edits, s.id(), label, fmt(s.angleDeg()),
                            ex.toString());
                    record.accept(Score.failed(s.id(), label, s.angleDeg(), ex.getMessage()));
                    continue;
                }
                double secs = (System.nanoTime() - t1) / 1e9;
                Path dir = Files.createDirectories(out.resolve(dragSteps == 0 ? "reconstruction" : k.id()));
                ImageIO.write(edited, "png", dir.resolve(s.id() + ".png").toFile());
                panels.set(panels.size() - 1, edited);
                double md = MeanDistance.mean(MeanDistance.MD,
                        MeanDistance.match(srcFeat, diftFeatures(sd, edited, s.prompt()), handleTargets(s)), false)
                        .value();
                double[] fin = d.finalHandles().get(0);
                double tracked = Math.hypot(fin[0] - s.target().getX(), fin[1] - s.target().getY());
                PixelMask region = mask(s);
                double psnr = MaskedPsnr.compute("psnr", edited, s.groundTruth(), region).value();
                double ssim = MaskedSsim.compute("ssim", edited, s.groundTruth(), region, SsimOptions.defaults())
                        .value();
                RotationAngleResult turned = angle(s, edited);
                record.accept(new Score(s.id(), label, s.angleDeg(), md, tracked, psnr, ssim, secs, d.steps(), null)
                        .withAngle(turned));
                done++;
                LOG.info("edit {}/{} {} ({} deg): MD {} px, tracked {} px, PSNR {} dB, SSIM {}, turned {} deg ({}), "
                                + "{} drag steps ({}), {} s (+ {} s shared LoRA/inversion)", done, edits,
                        s.id() + "/" + label, fmt(s.angleDeg()), fmt(md), fmt(tracked), fmt(psnr), fmt(ssim),
                        fmt(turned.recoveredDeg()), turned.turn() ? "a turn" : "rejected: " + turned.rejection(),
                        d.steps(), d.stopReason(), fmt(secs), fmt(shared));
            }
            Path montage = Files.createDirectories(out.resolve(MONTAGE_DIR));
            ImageIO.write(EditMontage.row(s, labels, panels, 3), "png", montage.resolve(s.id() + ".png").toFile());
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
    static FeatureMap diftFeatures(StableDiffusion sd, BufferedImage img, String prompt) {
        int size = img.getWidth(), copies = 8, t = 261;
        try (NDManager m = sd.manager().newSubManager()) {
            float[] px = new float[3 * size * size];
            TrackingAccuracyTable.toPixels(img, px, 0);
            NDArray x = OwnedArrays.of(m, px, new Shape(1, 3, size, size));
            NDArray z0 = OwnedArrays.mul(sd.vae().encode(x).mean(), (float) sd.vae().scalingFactor());
            Shape one = z0.getShape();
            NDArray noise = OwnedArrays.of(m, io.rotationdrag.diffusion.vae.DiagonalGaussian.gaussian(261,
                    (int) one.size() * copies), new Shape(copies, one.get(1), one.get(2), one.get(3)));
            NDArray zt = sd.scheduler().addNoise(z0.repeat(0, copies), noise, t);
            NDArray f = sd.unet().forward(zt, t, sd.encodePrompt(m, prompt), UNetRequest.featuresOnly(1)).upBlock(1)
                    .mean(new int[]{0}).toType(DataType.FLOAT32, false);
            Shape fs = f.getShape();
            return new FeatureMap((int) fs.get(0), (int) fs.get(1), (int) fs.get(2), f.toFloatArray(), size, size);
        }
    }

    /** Angle buckets of the report, as the tracking table's: |angle| in [lo, hi). */
    static final double[][] BUCKETS = {{15, 45}, {45, 90}, {90, 151}};

    /**
     * The overall table (mean over scored edits per tracker, the no-edit and ground-truth rows first, with the
     * median and mean scored angle error and the accepted turns), the mean MD-like distance and PSNR per |angle|
     * bucket, the angle error per bucket, the paired differences, then the failed edits.
     */
    public static String format(List<Score> scores, String title) {
        StringBuilder sb = new StringBuilder(title).append('\n');
        sb.append("| tracker | edits | MD-like (px) | tracked dist (px) | PSNR in mask (dB) | SSIM in mask | drag steps "
                + "| s/edit | angle error median / mean (deg) | accepted |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        Map<String, List<Score>> by = new LinkedHashMap<>();
        by.put(NO_EDIT, new ArrayList<>());
        for (Score s : scores) {
            by.computeIfAbsent(s.tracker(), k -> new ArrayList<>()).add(s);
        }
        if (by.get(NO_EDIT).isEmpty()) {
            by.remove(NO_EDIT);
        }
        for (Map.Entry<String, List<Score>> e : by.entrySet()) {
            List<Score> l = e.getValue().stream().filter(Score::ok).toList();
            boolean none = e.getKey().equals(NO_EDIT);
            boolean truth = e.getKey().equals(GROUND_TRUTH);
            sb.append(String.format(Locale.ROOT, "| %s | %d | %s%s | %s | %s | %s | %s | %s | %s | %s |%n", e.getKey(),
                    l.size(), cell("%.2f", mean(l, Score::md)), none ? " (handle-target)" : "",
                    none || truth ? "-" : cell("%.2f", mean(l, Score::trackedDistance)),
                    cell("%.2f", mean(l, Score::psnr)), cell("%.3f", mean(l, Score::ssim)),
                    none || truth ? "-" : String.format(Locale.ROOT, "%.1f", mean(l, sc -> sc.dragSteps())),
                    none || truth ? "-" : String.format(Locale.ROOT, "%.1f", mean(l, Score::seconds)),
                    angleCell(l), turnsCell(l)));
        }
        sb.append(String.format(Locale.ROOT, "angle error: the angle the part shows (scene re-rendered at each degree, "
                + "best correlation in the mask) vs the requested turn; accepted = the part is recognised at one angle "
                + "(correlation >= %.2f, normalised contrast >= %.2f), otherwise the edit is scored as not turned "
                + "(error = |requested|)%n", RotationAngleMetric.MIN_CORRELATION, RotationAngleMetric.MIN_CONTRAST));
        sb.append("\nPer |angle| bucket: MD-like px / PSNR in mask dB (edits)\n");
        sb.append("| tracker |");
        for (double[] b : BUCKETS) {
            sb.append(String.format(Locale.ROOT, " %.0f-%.0f deg |", b[0], Math.min(150, b[1])));
        }
        sb.append('\n').append("|---|").append("---|".repeat(BUCKETS.length)).append('\n');
        for (Map.Entry<String, List<Score>> e : by.entrySet()) {
            if (e.getKey().equals(GROUND_TRUTH)) {
                continue; // scored by the angle metric only
            }
            sb.append("| ").append(e.getKey()).append(" |");
            for (double[] b : BUCKETS) {
                List<Score> l = e.getValue().stream().filter(Score::ok)
                        .filter(sc -> Math.abs(sc.angleDeg()) >= b[0] && Math.abs(sc.angleDeg()) < b[1]).toList();
                sb.append(String.format(Locale.ROOT, " %.2f / %.2f (%d) |", mean(l, Score::md), mean(l, Score::psnr),
                        l.size()));
            }
            sb.append('\n');
        }
        sb.append("\nPer |angle| bucket: angle error median / mean deg [accepted / measured]\n");
        sb.append("| tracker |");
        for (double[] b : BUCKETS) {
            sb.append(String.format(Locale.ROOT, " %.0f-%.0f deg |", b[0], Math.min(150, b[1])));
        }
        sb.append('\n').append("|---|").append("---|".repeat(BUCKETS.length)).append('\n');
        for (Map.Entry<String, List<Score>> e : by.entrySet()) {
            sb.append("| ").append(e.getKey()).append(" |");
            for (double[] b : BUCKETS) {
                List<Score> l = e.getValue().stream().filter(Score::ok)
                        .filter(sc -> Math.abs(sc.angleDeg()) >= b[0] && Math.abs(sc.angleDeg()) < b[1]).toList();
                sb.append(' ').append(angleCell(l)).append(" [").append(turnsCell(l)).append("] |");
            }
            sb.append('\n');
        }
        for (String ref : List.of(RECONSTRUCTION, TrackerKind.DRAGDIFFUSION.id())) {
            if (by.containsKey(ref)) {
                sb.append(paired(by, ref));
            }
        }
        List<Score> failed = scores.stream().filter(sc -> !sc.ok()).toList();
        sb.append(String.format(Locale.ROOT, "failed edits: %d%s%n", failed.size(), failed.isEmpty() ? ""
                : " " + failed.stream().map(f -> f.id() + "/" + f.tracker() + ": " + f.failure()).toList()));
        return sb.toString();
    }

    /**
     * Each tracker against {@code ref} on the samples both scored: mean of the per-sample differences, its standard
     * error (sd / sqrt n), and how many samples improved (MD-like lower, PSNR higher, angle error lower). Pairing removes the spread
     * between samples, which is most of the spread of the plain means.
     */
    static String paired(Map<String, List<Score>> by, String ref) {
        Map<String, Score> base = new LinkedHashMap<>();
        by.get(ref).stream().filter(Score::ok).forEach(sc -> base.put(sc.id(), sc));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%nPaired against %s: mean difference (se) [samples improved / paired]%n", ref));
        sb.append("| tracker | MD-like (px) | PSNR in mask (dB) | angle error (deg) |\n|---|---|---|---|\n");
        for (Map.Entry<String, List<Score>> e : by.entrySet()) {
            if (e.getKey().equals(ref) || e.getKey().equals(NO_EDIT) || e.getKey().equals(GROUND_TRUTH)) {
                continue;
            }
            List<double[]> d = new ArrayList<>();
            for (Score sc : e.getValue()) {
                Score b = base.get(sc.id());
                if (sc.ok() && b != null) {
                    d.add(new double[]{sc.md() - b.md(), sc.psnr() - b.psnr(), sc.angleError() - b.angleError()});
                }
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", e.getKey(), pairedCell(d, 0, -1),
                    pairedCell(d, 1, +1), pairedCell(d, 2, -1)));
        }
        return sb.toString();
    }

    /** Mean (se) [improved / paired] of one column of the paired differences, skipping pairs it was not measured on. */
    private static String pairedCell(List<double[]> all, int col, int better) {
        List<double[]> d = all.stream().filter(v -> !Double.isNaN(v[col])).toList();
        int n = d.size();
        if (n == 0) {
            return "-";
        }
        double mean = d.stream().mapToDouble(v -> v[col]).average().orElse(Double.NaN);
        double var = n < 2 ? Double.NaN
                : d.stream().mapToDouble(v -> (v[col] - mean) * (v[col] - mean)).sum() / (n - 1);
        long improved = d.stream().filter(v -> Math.signum(v[col]) == better).count();
        return String.format(Locale.ROOT, "%+.2f (%.2f) [%d / %d]", mean, Math.sqrt(var / n), improved, n);
    }

    /** "median / mean" of the scored angle errors measured (NaN-free), or "-" when none was measured. */
    static String angleCell(List<Score> l) {
        double[] v = l.stream().mapToDouble(Score::angleError).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return "-";
        }
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
        return String.format(Locale.ROOT, "%.1f / %.1f", median, java.util.Arrays.stream(v).average().orElseThrow());
    }

    /** "accepted turns / measured", or "-" when none was measured. */
    static String turnsCell(List<Score> l) {
        List<Score> m = l.stream().filter(sc -> !Double.isNaN(sc.turn())).toList();
        return m.isEmpty() ? "-" : (m.stream().filter(sc -> sc.turn() == 1).count() + " / " + m.size());
    }

    private static String cell(String format, double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static double mean(List<Score> l, java.util.function.ToDoubleFunction<Score> f) {
        return l.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
