package io.rotationdrag.eval;

/**
 * A low-resolution feature map (C x h x w, channel-major: {@code data[(c * h + y) * w + x]}) that stands for a
 * {@code imageHeight x imageWidth} image: its full-resolution version is the bilinear upsampling
 * (align_corners = False) to that size, which {@link DiftMatcher} evaluates exactly without materialising it.
 */
public record FeatureMap(int channels, int height, int width, float[] data, int imageHeight, int imageWidth) {

    public FeatureMap {
        if (channels <= 0 || height <= 0 || width <= 0 || imageHeight <= 0 || imageWidth <= 0) {
            throw new IllegalArgumentException("feature grid sizes must be positive");
        }
        if (data == null || data.length != channels * height * width) {
            throw new IllegalArgumentException("feature data length " + (data == null ? 0 : data.length) + " != "
                    + channels + "x" + height + "x" + width);
        }
    }

    public float at(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }
}
