package io.rotationdrag.synth;

import java.awt.geom.Rectangle2D;
import java.util.SplittableRandom;

/**
 * Draws random scenes from a seeded stream. A scene is accepted only when the part (and its static body) lies
 * inside the frame with a margin, at the base angle and, when asked, over a whole sweep of angles.
 */
public final class SceneSampler {

    /** Frame margin as a fraction of the side. */
    static final double MARGIN = 0.03;
    private static final int MAX_TRIES = 1000;

    private final SplittableRandom rnd;

    public SceneSampler(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    /** The generator's stream, for callers that draw further values (angles) in the same seeded sequence. */
    SplittableRandom random() {
        return rnd;
    }

    /** A random scene whose part fits the frame at its base angle. */
    public Scene next() {
        for (int i = 0; i < MAX_TRIES; i++) {
            Scene s = candidate();
            if (fits(s, 0, 0)) {
                return s;
            }
        }
        throw new IllegalStateException("no scene fitted the frame in " + MAX_TRIES + " tries");
    }

    /** A random scene that stays inside the frame while its part turns from 0 to {@code angleDeg}. */
    public Scene nextFitting(double angleDeg) {
        for (int i = 0; i < MAX_TRIES; i++) {
            Scene s = candidate();
            if (fits(s, Math.min(0, angleDeg), Math.max(0, angleDeg))) {
                return s;
            }
        }
        throw new IllegalStateException("no scene fitted a sweep of " + angleDeg + " deg in " + MAX_TRIES + " tries");
    }

    /** True when body and part, for every angle in [fromDeg, toDeg] (1-degree steps), lie inside the margins. */
    static boolean fits(Scene s, double fromDeg, double toDeg) {
        int ref = 256;
        double lo = MARGIN * ref, hi = (1 - MARGIN) * ref;
        if (!inside(SceneRenderer.bodyBounds(s, ref), lo, hi)) {
            return false;
        }
        int n = Math.max(1, (int) Math.ceil(toDeg - fromDeg));
        for (int k = 0; k <= n; k++) {
            double a = fromDeg + (toDeg - fromDeg) * k / n;
            if (!inside(SceneRenderer.partShape(s.rotated(a), ref).getBounds2D(), lo, hi)) {
                return false;
            }
        }
        return true;
    }

    private static boolean inside(Rectangle2D b, double lo, double hi) {
        return b.getMinX() >= lo && b.getMinY() >= lo && b.getMaxX() <= hi && b.getMaxY() <= hi;
    }

    private Scene candidate() {
        PartType part = PartType.values()[rnd.nextInt(PartType.values().length)];
        NamedColor[] colors = NamedColor.values();
        NamedColor bg = colors[rnd.nextInt(colors.length)];
        NamedColor partColor;
        do {
            partColor = colors[rnd.nextInt(colors.length)];
        } while (partColor.distance(bg) < 150);
        NamedColor body;
        do {
            body = colors[rnd.nextInt(colors.length)];
        } while (body.distance(bg) < 110 || body.distance(partColor) < 110);
        Background style = rnd.nextBoolean() ? Background.SOLID : Background.GRADIENT;
        double px = uniform(0.2, 0.8), py = uniform(0.2, 0.8);
        double len, w, base, bodyAngle = 0;
        char letter = 'F';
        switch (part) {
            case BAR -> {
                len = uniform(0.2, 0.32);
                w = uniform(0.06, 0.1);
                base = uniform(0, 360);
            }
            case CLOCK_HAND -> {
                len = uniform(0.18, 0.28);
                w = uniform(0.05, 0.08);
                base = uniform(0, 360);
            }
            case PENDULUM -> {
                len = uniform(0.22, 0.38);
                w = uniform(0.04, 0.06);
                py = uniform(0.15, 0.5);
                base = -90 + uniform(-40, 40);
            }
            case ARROW -> {
                len = uniform(0.22, 0.36);
                w = uniform(0.05, 0.08);
                base = uniform(0, 360);
            }
            case LETTER -> {
                len = uniform(0.14, 0.22);
                w = uniform(0.06, 0.09);
                base = uniform(-30, 30);
                letter = Scene.LETTERS.charAt(rnd.nextInt(Scene.LETTERS.length()));
            }
            case TAIL -> {
                len = uniform(0.18, 0.28);
                w = uniform(0.06, 0.09);
                bodyAngle = rnd.nextBoolean() ? 0 : 180;
                base = bodyAngle + 180 + uniform(-50, 50);
            }
            default -> throw new IllegalStateException("unknown part " + part);
        }
        return new Scene(part, partColor, body, style, bg, px, py, len, w, base, bodyAngle, letter);
    }

    private double uniform(double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }
}
