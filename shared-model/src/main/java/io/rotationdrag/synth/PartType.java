package io.rotationdrag.synth;

/** The rotatable part of a synthetic scene; {@code noun} is the prompt's wording. */
public enum PartType {
    BAR("bar"),
    CLOCK_HAND("clock hand"),
    PENDULUM("pendulum"),
    ARROW("arrow"),
    LETTER("letter"),
    TAIL("tail");

    private final String noun;

    PartType(String noun) {
        this.noun = noun;
    }

    public String noun() {
        return noun;
    }
}
