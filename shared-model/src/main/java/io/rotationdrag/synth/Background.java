package io.rotationdrag.synth;

/** How the background is painted: one flat colour, or a vertical gradient from that colour to a darker shade. */
public enum Background {
    SOLID,
    GRADIENT
}
