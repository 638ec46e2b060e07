package io.rotationdrag.synth;

import java.awt.Color;

/** The scene palette: every colour has the one word the prompts use for it. */
public enum NamedColor {
    RED(220, 40, 40),
    GREEN(40, 170, 60),
    BLUE(40, 70, 210),
    YELLOW(240, 220, 40),
    ORANGE(245, 140, 30),
    PURPLE(140, 50, 170),
    WHITE(245, 245, 245),
    BLACK(20, 20, 20),
    GRAY(128, 128, 128),
    PINK(245, 150, 190),
    CYAN(40, 200, 220),
    BROWN(130, 80, 40);

    private final int r;
    private final int g;
    private final int b;

    NamedColor(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
    }

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public Color color() {
        return new Color(r, g, b);
    }

    /** Euclidean RGB distance, used to keep part, body and background distinguishable. */
    public double distance(NamedColor o) {
        double dr = r - o.r, dg = g - o.g, db = b - o.b;
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }
}
