package io.rotationdrag.drag;

/** Test access to PartRegion's colour distance from other packages. */
public final class PartRegionTestAccess {
    private PartRegionTestAccess() {
    }

    public static double dist(int a, int b) {
        return PartRegion.dist(a, b);
    }
}
