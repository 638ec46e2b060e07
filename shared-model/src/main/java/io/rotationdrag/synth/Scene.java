package io.rotationdrag.synth;

/**
 * One synthetic scene, resolution independent: every length and position is a fraction of the image side, so
 * the same scene renders at 64x64 or 128x128.
 *
 * <p>The part is drawn in its own frame, pointing along +x from its pivot (the rotation axis) and then turned
 * by {@code baseAngleDeg}. Angles are in degrees, positive = counter-clockwise as seen on screen (image y points
 * down, so in image coordinates a positive angle turns +x towards -y).
 *
 * @param part         the rotatable part
 * @param partColor    colour of the part (named in the prompt)
 * @param bodyColor    colour of the static body the part is attached to (clock face, pendulum support, ...)
 * @param background   background style
 * @param bgColor      background colour (named in the prompt)
 * @param pivotX       pivot x as a fraction of the width
 * @param pivotY       pivot y as a fraction of the height
 * @param length       part length (pivot to tip) as a fraction of the side
 * @param width        part thickness as a fraction of the side
 * @param baseAngleDeg the part's angle in the unrotated scene
 * @param bodyAngleDeg orientation of the static body (where a tail's body lies from the pivot); never rotates
 * @param letter       the glyph for {@link PartType#LETTER} (upper case), otherwise ignored
 */
public record Scene(PartType part, NamedColor partColor, NamedColor bodyColor, Background background,
                    NamedColor bgColor, double pivotX, double pivotY, double length, double width,
                    double baseAngleDeg, double bodyAngleDeg, char letter) {

    /** Letters whose glyphs have no rotational symmetry, so a rotation is always visible. */
    public static final String LETTERS = "FLPRTK";

    public Scene {
        if (!(length > 0 && width > 0)) {
            throw new IllegalArgumentException("part length and width must be positive: " + length + ", " + width);
        }
        if (part == PartType.LETTER && LETTERS.indexOf(letter) < 0) {
            throw new IllegalArgumentException("letter must be one of " + LETTERS + ": " + letter);
        }
    }

    /** The short prompt, e.g. "a red clock hand on a blue background". */
    public String prompt() {
        String noun = part == PartType.LETTER
                ? "letter " + Character.toLowerCase(letter) : part.noun();
        return article(partColor) + " " + partColor.word() + " " + noun + " on " + article(bgColor) + " "
                + bgColor.word() + " background";
    }

    private static String article(NamedColor c) {
        return c == NamedColor.ORANGE ? "an" : "a";
    }

    /** The same scene with the part turned by a further {@code deltaDeg} about its pivot. */
    public Scene rotated(double deltaDeg) {
        return new Scene(part, partColor, bodyColor, background, bgColor, pivotX, pivotY, length, width,
                baseAngleDeg + deltaDeg, bodyAngleDeg, letter);
    }
}
