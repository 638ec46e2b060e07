package io.rotationdrag.edit;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Progress of one stage. {@code stage} is one of {@link #LORA}, {@link #INVERT}, {@link #DRAG}, {@link #DENOISE};
 * {@code handles} are the current handle positions in input-image pixels as {x, y} (drag stage only, else empty);
 * {@code loss} is the step's loss where there is one; {@code preview} an intermediate image when asked for.
 */
public record ProgressEvent(String stage, int step, int total, List<double[]> handles, Double loss,
                            BufferedImage preview) {
    public static final String LORA = "lora";
    public static final String INVERT = "invert";
    public static final String DRAG = "drag";
    public static final String DENOISE = "denoise";

    public ProgressEvent {
        handles = handles == null ? List.of() : List.copyOf(handles);
    }

    public static ProgressEvent of(String stage, int step, int total, Double loss) {
        return new ProgressEvent(stage, step, total, List.of(), loss, null);
    }
}
