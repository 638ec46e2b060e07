package io.rotationdrag.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.edit.EditOptions;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.TrackerKind;
import io.rotationdrag.eval.PixelMask;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.edit.TinyEditFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotationEditBenchmarkTest {

    @Test
    void requestCarriesTheDragPairTheAxisWhenGivenAndTheSweptMask() {
        List<RotationSample> samples = RotationBenchmark.generate(4, 77, 64, RotationBenchmark.AxisMode.ALTERNATE);
        for (RotationSample s : samples) {
            EditOptions o = RotationEditBenchmark.options(TrackerKind.ROTATIONDRAG, 64, 5, 0, 25);
            assertEquals(25, o.inversion().numInferenceSteps());
            assertEquals(5, o.drag().maxSteps());
            assertFalse(o.lora().enabled());
            assertEquals(64, o.workingSize());
            EditRequest r = RotationEditBenchmark.request(s, o);
            assertEquals(s.axisGiven() ? 2 : 1, r.points().size());
            assertEquals(s.target().getX(), r.points().get(0).tx(), 1e-12);
            assertFalse(r.points().get(0).isAxis());
            if (s.axisGiven()) {
                assertTrue(r.points().get(1).isAxis());
                assertEquals(s.axis().getX(), r.points().get(1).hx(), 1e-12);
            }
            PixelMask m = RotationEditBenchmark.mask(s);
            PixelMask fromImage = PixelMask.fromImage(RotationEditBenchmark.maskImage(s));
            assertEquals(m, fromImage);
            int count = 0;
            for (byte[] row : s.mask()) {
                for (byte b : row) {
                    count += b != 0 ? 1 : 0;
                }
            }
            assertEquals(count, m.count());
            assertTrue(m.get((int) Math.round(s.handle().getX()), (int) Math.round(s.handle().getY())));
        }
    }

    @Test
    void scoresRoundTripThroughCsvIncludingFailuresAndNaN() {
        var ok = new RotationEditBenchmark.Score("bar_003", "freedrag", -47.5, 3.25, 1.5, 21.75, 0.625, 2.5, 80, null);
        var none = RotationEditBenchmark.noEditLike("bar_003", 30.0, 12.0, 0.5);
        var bad = RotationEditBenchmark.Score.failed("letter_007", "rotationdrag", -136, "drag loss is NaN, at\nstep 20");
        var angled = new RotationEditBenchmark.Score("bar_003", "rotationdrag", -47.5, 3.25, 1.5, 21.75, 0.625, 2.5, 80,
                -45.0, 2.5, 0.875, 0.75, 1, null);
        assertEquals(ok, RotationEditBenchmark.Score.parse(ok.csv()));
        assertEquals(angled, RotationEditBenchmark.Score.parse(angled.csv()));
        assertEquals(15, angled.csv().split(",", -1).length);
        assertEquals(15, RotationEditBenchmark.Score.CSV_HEADER.split(",", -1).length);
        // score files written before the angle metric (10 columns) still read, without it
        var old = RotationEditBenchmark.Score.parse("bar_003,freedrag,-47.5,3.25,1.5,21.75,0.625,2.5,80,");
        assertEquals(ok, old);
        assertTrue(Double.isNaN(old.angleError()));
        assertEquals(none, RotationEditBenchmark.Score.parse(none.csv()));
        var back = RotationEditBenchmark.Score.parse(bad.csv());
        assertFalse(back.ok());
        assertEquals("drag loss is NaN; at;step 20", back.failure());
        assertTrue(Double.isNaN(back.md()));
    }

    @Test
    void rescoringAFinishedRunAddsTheAngleMetricFromItsEditedImages() throws Exception {
        List<RotationSample> samples = RotationBenchmark.generate(2, 77, 64, RotationBenchmark.AxisMode.ALTERNATE);
        RotationSample a = samples.get(0);
        RotationSample b = samples.get(1);
        Path run = out.resolve("old-run");
        Files.createDirectories(run.resolve("rotationdrag"));
        // a score file written before the angle metric: the "edit" of a is its truth, of b its source (no turn)
        javax.imageio.ImageIO.write(a.groundTruth(), "png", run.resolve("rotationdrag/" + a.id() + ".png").toFile());
        javax.imageio.ImageIO.write(b.image(), "png", run.resolve("rotationdrag/" + b.id() + ".png").toFile());
        Files.writeString(run.resolve("scores.csv"), "id,tracker,angle_deg,md_px,tracked_px,psnr_db,ssim,seconds,"
                + "drag_steps,failure\n"
                + a.id() + "," + RotationEditBenchmark.NO_EDIT + "," + a.angleDeg() + ",18,NaN,10,0.5,0,0,\n"
                + a.id() + ",rotationdrag," + a.angleDeg() + ",2,1,16,0.7,5,30,\n"
                + b.id() + ",rotationdrag," + b.angleDeg() + ",2,1,16,0.7,5,30,\n"
                + b.id() + ",freedrag," + b.angleDeg() + ",NaN,NaN,NaN,NaN,NaN,0,boom\n");
        List<RotationEditBenchmark.Score> r = RotationEditBenchmark.rescore(run, samples);
        assertEquals(List.of(RotationEditBenchmark.NO_EDIT, RotationEditBenchmark.GROUND_TRUTH, "rotationdrag",
                "rotationdrag", RotationEditBenchmark.GROUND_TRUTH, "freedrag"),
                r.stream().map(RotationEditBenchmark.Score::tracker).toList());
        assertEquals(Math.abs(a.angleDeg()), r.get(0).angleError(), 1.0);   // the source: not turned
        assertTrue(r.get(1).angleError() <= 0.5 + 1e-9);                   // the truth: the floor
        assertTrue(r.get(2).angleError() <= 0.5 + 1e-9);                   // a's edit is its truth
        assertEquals(Math.abs(b.angleDeg()), r.get(3).angleError(), 1.0);   // b's edit did not turn
        assertFalse(r.get(5).ok());
        assertTrue(Double.isNaN(r.get(5).angleError()));
        assertEquals(r, RotationEditBenchmark.readScores(run.resolve(RotationEditBenchmark.RESCORED)));
        // another seed's samples do not fit the rows: refused, naming the row
        List<RotationSample> other = RotationBenchmark.generate(2, 78, 64, RotationBenchmark.AxisMode.ALTERNATE);
        var e = assertThrows(IllegalArgumentException.class, () -> RotationEditBenchmark.rescore(run, other));
        assertTrue(e.getMessage().contains("not a sample"), e.getMessage());
    }

    @Test
    void shardsPartitionTheSamples() {
        assertEquals(List.of(1, 3), List.of(RotationEditBenchmark.parseShard("1/3")[0], 3));
        for (String bad : List.of("3/3", "-1/2", "1", "a/b", "0/0")) {
            assertThrows(IllegalArgumentException.class, () -> RotationEditBenchmark.parseShard(bad), bad);
        }
    }

    @Test
    void theReportAveragesScoredEditsPerTrackerAndPerAngleBucket() {
        List<RotationEditBenchmark.Score> l = List.of(
                RotationEditBenchmark.noEditLike("a", 20, 10, 0.5),
                RotationEditBenchmark.noEditLike("b", -100, 12, 0.7),
                new RotationEditBenchmark.Score("a", "dragdiffusion", 20, 4, 3, 14, 0.6, 1, 10, null),
                new RotationEditBenchmark.Score("b", "dragdiffusion", -100, 8, 5, 18, 0.8, 3, 20, null),
                RotationEditBenchmark.Score.failed("b", "rotationdrag", -100, "boom"),
                new RotationEditBenchmark.Score("a", "rotationdrag", 20, 2, 1, 16, 0.7, 5, 30, null));
        String t = RotationEditBenchmark.format(l, "title");
        assertTrue(t.contains("| dragdiffusion | 2 | 6.00 | 4.00 | 16.00 | 0.700 | 15.0 | 2.0 | - | - |"), t);
        assertTrue(t.contains("| rotationdrag | 1 | 2.00 | 1.00 | 16.00 | 0.700 | 30.0 | 5.0 |"), t);
        assertTrue(t.contains("| dragdiffusion | 4.00 / 14.00 (1) | NaN / NaN (0) | 8.00 / 18.00 (1) |"), t);
        assertTrue(t.contains("failed edits: 1 [b/rotationdrag: boom]"), t);
        assertTrue(t.indexOf(RotationEditBenchmark.NO_EDIT) < t.indexOf("| dragdiffusion"), "no-edit row first");
    }

    @Test
    void theReportGivesMedianAndMeanAngleErrorTurnsAndTheGroundTruthFloor() {
        String gt = RotationEditBenchmark.GROUND_TRUTH;
        String none = RotationEditBenchmark.NO_EDIT;
        List<RotationEditBenchmark.Score> l = List.of(
                new RotationEditBenchmark.Score("a", none, 20, 18, Double.NaN, 10, 0.5, 0, 0, 0, 20, 1, 1, 1, null),
                new RotationEditBenchmark.Score("a", gt, 20, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, 20,
                        0.25, 1, 1, 1, null),
                new RotationEditBenchmark.Score("b", gt, -100, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, -100,
                        0.5, 1, 1, 1, null),
                new RotationEditBenchmark.Score("c", gt, 60, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, 60,
                        0.0, 1, 1, 1, null),
                // errors 2, 10 (a turn off by 10) and 60 (rejected: scored as not turned): median 10, mean 24
                new RotationEditBenchmark.Score("a", "rotationdrag", 20, 2, 1, 16, 0.7, 5, 30, 18, 2, 0.9, 0.8, 1, null),
                new RotationEditBenchmark.Score("b", "rotationdrag", -100, 2, 1, 16, 0.7, 5, 30, -90, 10, 0.9, 0.8, 1,
                        null),
                new RotationEditBenchmark.Score("c", "rotationdrag", 60, 2, 1, 16, 0.7, 5, 30, 3, 60, 0.4, 0.3, 0, null),
                // dragdiffusion: errors 4, 30, 60 -> paired differences against it -2, -20, 0: mean -7.33
                new RotationEditBenchmark.Score("a", "dragdiffusion", 20, 2, 1, 16, 0.7, 5, 30, 16, 4, 0.9, 0.8, 1, null),
                new RotationEditBenchmark.Score("b", "dragdiffusion", -100, 2, 1, 16, 0.7, 5, 30, -70, 30, 0.9, 0.8, 1,
                        null),
                new RotationEditBenchmark.Score("c", "dragdiffusion", 60, 2, 1, 16, 0.7, 5, 30, 0, 60, 0.2, 0.1, 0,
                        null));
        String t = RotationEditBenchmark.format(l, "title");
        assertTrue(t.contains("| rotationdrag | 3 | 2.00 | 1.00 | 16.00 | 0.700 | 30.0 | 5.0 | 10.0 / 24.0 | 2 / 3 |"), t);
        assertTrue(t.contains("| " + gt + " | 3 | - | - | - | - | - | - | 0.3 / 0.3 | 3 / 3 |"), t);
        assertTrue(t.indexOf(none) < t.indexOf(gt) && t.indexOf(gt) < t.indexOf("| rotationdrag"), t);
        assertFalse(t.contains("| " + gt + " | NaN"), "the floor row has no MD/PSNR buckets: " + t);
        // per bucket: 15-45 holds a (2), 45-90 holds c (60), 90-150 holds b (10)
        assertTrue(t.contains("| rotationdrag | 2.0 / 2.0 [1 / 1] | 60.0 / 60.0 [0 / 1] | 10.0 / 10.0 [1 / 1] |"), t);
        // paired angle error against dragdiffusion: -2, -20, 0 -> mean -7.33, sd 11.02, se 6.36, 2 of 3 lower
        assertTrue(t.contains("| rotationdrag | +0.00 (0.00) [0 / 3] | +0.00 (0.00) [0 / 3] | -7.33 (6.36) [2 / 3] |"), t);
    }

    @Test
    void pairedDifferencesAgainstTheReconstructionControl() {
        String rec = RotationEditBenchmark.RECONSTRUCTION;
        List<RotationEditBenchmark.Score> l = List.of(
                RotationEditBenchmark.noEditLike("a", 20, 10, 0.5),
                RotationEditBenchmark.noEditLike("b", -100, 12, 0.7),
                new RotationEditBenchmark.Score("a", rec, 20, 10, 9, 12, 0.5, 1, 0, null),
                new RotationEditBenchmark.Score("b", rec, -100, 20, 19, 10, 0.5, 1, 0, null),
                new RotationEditBenchmark.Score("a", "dragdiffusion", 20, 8, 3, 13, 0.6, 1, 10, null),
                new RotationEditBenchmark.Score("b", "dragdiffusion", -100, 21, 5, 12, 0.8, 3, 20, null),
                new RotationEditBenchmark.Score("c", "dragdiffusion", 40, 1, 1, 30, 0.9, 3, 20, null));
        String t = RotationEditBenchmark.format(l, "title");
        // MD diffs -2, +1: mean -0.5, sd 2.121, se 1.5, 1 of 2 lower; PSNR diffs +1, +2: mean 1.5, se 0.5
        // (sample c has no reconstruction and is not paired)
        assertTrue(t.contains("Paired against " + rec), t);
        assertTrue(t.contains("| dragdiffusion | -0.50 (1.50) [1 / 2] | +1.50 (0.50) [2 / 2] |"), t);
        assertTrue(t.contains("Paired against dragdiffusion"), t);
        assertTrue(t.contains("| " + rec + " | +0.50 (1.50) [1 / 2] | -1.50 (0.50) [0 / 2] |"), t);
    }

    @TempDir
    Path out;

    @Test
    void zeroDragStepsRunOnceAsTheReconstructionControl() throws Exception {
        try (StableDiffusion sd = TinyEditFixture.model(out.resolve("model"))) {
            List<RotationSample> samples = RotationBenchmark.generate(1, 77, 64, RotationBenchmark.AxisMode.ALTERNATE);
            var scores = RotationEditBenchmark.run(sd, samples, List.of(TrackerKind.DRAGDIFFUSION, TrackerKind.FREEDRAG),
                    0, 0, 4, out.resolve("rec"));
            assertEquals(List.of(RotationEditBenchmark.NO_EDIT, RotationEditBenchmark.GROUND_TRUTH,
                    RotationEditBenchmark.RECONSTRUCTION), scores.stream().map(RotationEditBenchmark.Score::tracker).toList());
            assertEquals(0, scores.get(2).dragSteps());
            assertTrue(Files.exists(out.resolve("rec/reconstruction/" + samples.get(0).id() + ".png")));
        }
    }

    @Test
    void aRunOnATinyModelWritesOneScoreLinePerEditAndTheNoEditRow() throws Exception {
        try (StableDiffusion sd = TinyEditFixture.model(out.resolve("model"))) {
            List<RotationSample> samples = RotationBenchmark.generate(1, 77, 64, RotationBenchmark.AxisMode.ALTERNATE);
            var scores = RotationEditBenchmark.run(sd, samples, List.of(TrackerKind.DRAGDIFFUSION, TrackerKind.FREEDRAG),
                    2, 0, 4, out.resolve("bench"));
            assertEquals(4, scores.size());
            List<RotationEditBenchmark.Score> read = RotationEditBenchmark.readScores(out.resolve("bench/scores.csv"));
            assertEquals(scores, read);
            assertEquals(RotationEditBenchmark.NO_EDIT, read.get(0).tracker());
            // the no-edit row shows the part unturned, the ground truth (the metric's floor) turned as requested
            RotationSample s0 = samples.get(0);
            assertEquals(0.0, read.get(0).angleRecovered(), 1.0);
            assertEquals(Math.abs(s0.angleDeg()), read.get(0).angleError(), 1.0);
            assertEquals(RotationEditBenchmark.GROUND_TRUTH, read.get(1).tracker());
            assertEquals(1.0, read.get(1).turn());
            assertTrue(read.get(1).angleError() <= 0.5 + 1e-9, "floor " + read.get(1));
            assertTrue(Files.exists(out.resolve("bench/freedrag/" + samples.get(0).id() + ".png")));
            // the montage row: source | truth | dragdiffusion | freedrag, each 3x, under a label strip
            java.awt.image.BufferedImage row = javax.imageio.ImageIO.read(
                    out.resolve("bench/montage/" + samples.get(0).id() + ".png").toFile());
            assertEquals(4 * 64 * 3, row.getWidth());
            assertEquals(64 * 3 + EditMontage.LABEL_HEIGHT, row.getHeight());
            java.awt.image.BufferedImage edit = javax.imageio.ImageIO.read(
                    out.resolve("bench/freedrag/" + samples.get(0).id() + ".png").toFile());
            for (int[] p : new int[][] {{0, 0}, {10, 40}, {63, 63}}) {
                int x = 3 * 64 * 3 + 3 * p[0] + 1;
                int y = EditMontage.LABEL_HEIGHT + 3 * p[1] + 1;
                assertEquals(edit.getRGB(p[0], p[1]), row.getRGB(x, y), "freedrag panel pixel " + p[0] + "," + p[1]);
                assertEquals(samples.get(0).groundTruth().getRGB(p[0], p[1]), row.getRGB(64 * 3 + 3 * p[0] + 1, y),
                        "truth panel pixel");
            }
            for (var sc : read.subList(2, 4)) {
                assertTrue(sc.ok() && Double.isFinite(sc.md()) && Double.isFinite(sc.psnr()), sc.toString());
                // every edit is scored by the angle metric: an error in [0, 180] and a turn flag
                assertTrue(sc.angleError() >= 0 && sc.angleError() <= 180, sc.toString());
                assertTrue(sc.turn() == 0 || sc.turn() == 1, sc.toString());
            }
        }
    }
}
