package io.rotationdrag.eval;

/** Where a handle's content was found in another image, and its pixel distance to the pair's target. */
public record PairMatch(HandleTarget pair, int matchX, int matchY, double distance) {
}
