package io.rotationdrag.worker.drag;

import java.util.List;

/**
 * What the drag step produced: the serialised DragOutcome (stored as it is) and the parts of it the stage
 * record and the trajectory file show.
 *
 * @param outcome       DragOutcome.toBytes()
 * @param trajectory    handle positions (x, y) in input pixels per iteration, index 0 = initial handles
 * @param angles        rotation angle per handle per iteration (degrees; empty without axes)
 * @param losses        loss per update
 * @param steps         updates made
 * @param stopReason    REACHED, MAX_STEPS or NO_ACTIVE_HANDLE
 * @param unetForwards  UNet forwards of the drag
 * @param unetBackwards UNet backwards of the drag
 */
public record DragResult(byte[] outcome, List<List<double[]>> trajectory, List<double[]> angles, List<Double> losses,
                         int steps, String stopReason, long unetForwards, long unetBackwards) {
}
