package io.rotationdrag.worker.drag;

import io.rotationdrag.edit.Cancellation;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.ImageOps;
import io.rotationdrag.edit.PointPair;
import io.rotationdrag.edit.ProgressEvent;
import io.rotationdrag.edit.ProgressListener;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for DragEditor's invert/drag/denoise in the stage-wiring tests (the engine is tested in shared-model).
 * Artefacts are derived from their inputs (so a wrong input shows), the drag moves each handle linearly to its
 * target over the options' drag steps with one progress event per step, denoise returns the input at working
 * size with the drag's byte count in the corner pixel. Scripted by the prompt: "fail-drag-once" fails the first
 * DRAG of a job; {@link #stepMs} delays each step.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class TestDragEngine implements DragEngine {
    static final ConcurrentHashMap<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    static volatile long stepMs = 0;
    static volatile int dragSteps = 5;

    static int calls(String promptTag, String what) {
        AtomicInteger n = CALLS.get(promptTag + "/" + what);
        return n == null ? 0 : n.get();
    }

    private static void count(EditRequest r, String what) {
        CALLS.computeIfAbsent(r.prompt() + "/" + what, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public byte[] invert(EditRequest r, byte[] lora, ProgressListener p, Cancellation c) {
        steps(ProgressEvent.INVERT, 3, p, c, null);
        count(r, "invert");
        return ("inv:" + ImageOps.pixelHash(r.image()) + ":" + (lora == null ? "none" : ImageOps.sha256(lora)))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public DragResult drag(EditRequest r, byte[] lora, byte[] inversion, ProgressListener p, Cancellation c) {
        count(r, "drag");
        if (r.prompt().contains("fail-drag-once") && calls(r.prompt(), "drag") == 1) {
            throw new IllegalStateException("scripted drag failure");
        }
        List<PointPair> drags = r.points().stream().filter(q -> !q.isAxis()).toList();
        int n = dragSteps;
        List<List<double[]>> traj = steps(ProgressEvent.DRAG, n, p, c, drags);
        List<Double> losses = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            losses.add(1.0 / i);
        }
        byte[] outcome = ("drag:" + ImageOps.sha256(inversion) + ":" + n).getBytes(StandardCharsets.UTF_8);
        return new DragResult(outcome, traj, List.of(), losses, n, "MAX_STEPS", n, n);
    }

    @Override
    public BufferedImage denoise(EditRequest r, byte[] lora, byte[] inversion, byte[] outcome, ProgressListener p,
                                 Cancellation c) {
        steps(ProgressEvent.DENOISE, 3, p, c, null);
        count(r, "denoise");
        int s = new io.rotationdrag.diffusion.ModelGeometry(64, 64).resolveWorkingSize(r.options().workingSize());
        BufferedImage img = ImageOps.resize(ImageOps.toRgb(r.image()), s, s);
        img.setRGB(0, 0, outcome.length);
        return img;
    }

    /** One event per step; returns the handle trajectory (index 0 = initial handles) when drags are given. */
    private static List<List<double[]>> steps(String stage, int n, ProgressListener p, Cancellation c,
                                              List<PointPair> drags) {
        List<List<double[]>> traj = new ArrayList<>();
        if (drags != null) {
            traj.add(drags.stream().map(q -> new double[]{q.hx(), q.hy()}).toList());
        }
        for (int i = 1; i <= n; i++) {
            Cancellation.check(c, stage, i);
            if (stepMs > 0) {
                try {
                    Thread.sleep(stepMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            List<double[]> handles = new ArrayList<>();
            if (drags != null) {
                double f = (double) i / n;
                for (PointPair q : drags) {
                    handles.add(new double[]{q.hx() + f * (q.tx() - q.hx()), q.hy() + f * (q.ty() - q.hy())});
                }
            }
            if (drags != null) {
                traj.add(handles);
            }
            p.onEvent(new ProgressEvent(stage, i, n, handles, 1.0 / i, null));
        }
        return traj;
    }
}
