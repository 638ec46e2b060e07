package io.rotationdrag.gateway.sweep;

import io.rotationdrag.eval.DragArrows;
import io.rotationdrag.eval.EvalReport;
import io.rotationdrag.eval.HandleTarget;
import io.rotationdrag.eval.MetricValue;
import io.rotationdrag.eval.PixelMask;
import io.rotationdrag.gateway.auth.Principal;
import io.rotationdrag.jobs.JobPoints;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.sweep.SweepStore;
import io.rotationdrag.service.sweep.SweepStore.SweepJobRow;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Builds the HTML report and the CSV of a sweep from the database and the object store. */
@ApplicationScoped
public class ReportPages {
    static final int THUMB = 128;
    /** Thumbnails are drawn for at most this many samples (the table and plots cover all). */
    static final int MAX_THUMB_SAMPLES = 60;

    @Inject
    SweepService sweeps;

    @Inject
    SweepStore store;

    @Inject
    JobStore jobs;

    @Inject
    BlobStore blobs;

    public String html(UUID id, Principal who) {
        SweepReport r = sweeps.report(id, who);
        List<SweepJobRow> rows = store.jobs(id);
        return ReportHtml.render(r, plotData(r, rows), samples(r, rows));
    }

    public String csv(UUID id, Principal who) {
        SweepReport r = sweeps.report(id, who);
        return ResultsCsv.render(id, store.jobs(id), r.optionSets());
    }

    static String label(SweepJobRow row) {
        return row.method() + " #" + row.optionSet();
    }

    static ReportHtml.PlotData plotData(SweepReport r, List<SweepJobRow> rows) {
        List<String> labels = r.groups().stream().map(SweepAggregator.GroupSummary::label).toList();
        Map<String, Map<String, List<Double>>> acc = new LinkedHashMap<>();
        List<io.rotationdrag.gateway.sweep.SvgPlots.Point> md = new ArrayList<>();
        for (String m : ReportHtml.PLOTTED) {
            Map<String, List<Double>> g = new LinkedHashMap<>();
            labels.forEach(l -> g.put(l, new ArrayList<>()));
            acc.put(m, g);
        }
        for (SweepJobRow row : rows) {
            if (row.metricsJson() == null) {
                continue;
            }
            Map<String, MetricValue> ms = EvalReport.fromJson(row.metricsJson()).metrics();
            for (String m : ReportHtml.PLOTTED) {
                MetricValue v = ms.get(m);
                if (v != null && v.available() && Double.isFinite(v.value())) {
                    acc.get(m).get(label(row)).add(v.value());
                }
            }
            MetricValue v = ms.get("md");
            if (row.rotationDeg() != null && v != null && v.available()) {
                md.add(new SvgPlots.Point(row.rotationDeg(), v.value(), labels.indexOf(label(row))));
            }
        }
        Map<String, Map<String, double[]>> per = new LinkedHashMap<>();
        acc.forEach((m, g) -> {
            Map<String, double[]> x = new LinkedHashMap<>();
            g.forEach((l, v) -> x.put(l, v.stream().mapToDouble(Double::doubleValue).toArray()));
            per.put(m, x);
        });
        return new ReportHtml.PlotData(per, md);
    }

    List<ReportHtml.SampleView> samples(SweepReport r, List<SweepJobRow> rows) {
        Map<String, List<SweepJobRow>> bySample = new LinkedHashMap<>();
        rows.forEach(x -> bySample.computeIfAbsent(x.sampleId(), k -> new ArrayList<>()).add(x));
        List<ReportHtml.SampleView> out = new ArrayList<>();
        for (Map.Entry<String, List<SweepJobRow>> e : bySample.entrySet()) {
            if (out.size() >= MAX_THUMB_SAMPLES) {
                break;
            }
            SweepJobRow first = e.getValue().get(0);
            String input = null;
            Optional<JobEntity> job = jobs.find(first.jobId());
            Optional<BufferedImage> img = image(ObjectKeys.inputImage(first.jobId()));
            if (job.isPresent() && img.isPresent()) {
                PixelMask mask = job.get().hasMask ? image(ObjectKeys.inputMask(first.jobId()))
                        .map(PixelMask::fromImage).orElse(null) : null;
                List<HandleTarget> pts = JobPoints.parse(job.get().pointsJson, 1000).stream()
                        .map(p -> new HandleTarget(p.hx(), p.hy(), p.tx(), p.ty())).toList();
                input = dataUri(DragArrows.render(img.get(), mask, pts));
            }
            Map<String, String> results = new LinkedHashMap<>();
            Map<String, String> states = new LinkedHashMap<>();
            for (SweepJobRow row : e.getValue()) {
                image(ObjectKeys.result(row.jobId())).ifPresent(res -> results.put(label(row), dataUri(res)));
                states.put(label(row), row.state().name());
            }
            out.add(new ReportHtml.SampleView(e.getKey(), first.rotationDeg(), input, results, states));
        }
        return out;
    }

    private Optional<BufferedImage> image(String key) {
        try {
            return blobs.find(ObjectKeys.JOBS_BUCKET, key).map(b -> {
                try {
                    return ImageIO.read(new ByteArrayInputStream(b));
                } catch (Exception ex) {
                    return null;
                }
            });
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static String dataUri(BufferedImage img) {
        double s = Math.min(1.0, THUMB / (double) Math.max(img.getWidth(), img.getHeight()));
        int w = Math.max(1, (int) Math.round(img.getWidth() * s));
        int h = Math.max(1, (int) Math.round(img.getHeight() * s));
        BufferedImage t = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = t.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(t, "png", out);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
        } catch (Exception e) {
            return null;
        }
    }
}
