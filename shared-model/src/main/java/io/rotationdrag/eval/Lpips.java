package io.rotationdrag.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.nn.Ops;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LPIPS, AlexNet variant (Zhang et al. 2018, lpips v0.1), with weights from a file the user supplies.
 *
 * <p><b>Weights file</b>: safetensors (F32/F16/BF16) with torchvision AlexNet's convolutions
 * {@code features.{0,3,6,8,10}.{weight,bias}} (shapes [64,3,11,11], [192,64,5,5], [384,192,3,3], [256,384,3,3],
 * [256,256,3,3]) and the LPIPS linear heads {@code lin0.weight} .. {@code lin4.weight} of shapes [1,C,1,1],
 * C = 64, 192, 384, 256, 256 (the lpips package names them {@code lin0.model.1.weight}: both spellings are
 * accepted). Convert once in Python: torchvision {@code alexnet(weights="IMAGENET1K_V1").features} state dict +
 * {@code lpips/weights/v0.1/alex.pth}, saved with {@code safetensors.torch.save_file}.
 *
 * <p><b>Computation</b>: both images in [-1, 1], bilinearly resized to 224x224 (as DragBench's evaluation);
 * scaling layer {@code (x - shift) / scale}; AlexNet relu1..relu5; per layer, unit-normalise over channels
 * ({@code f / (sqrt(sum f^2) + 1e-10)}), squared difference, 1x1 linear head, spatial mean; sum over layers.
 * The image-fidelity metric is {@code IF = 1 - LPIPS}.
 */
public final class Lpips implements AutoCloseable {
    public static final String METRIC_IF = "image_fidelity";
    public static final String METRIC_LPIPS = "lpips";
    public static final int SIZE = 224;

    private static final float[] SHIFT = {-0.030f, -0.088f, -0.188f};
    private static final float[] SCALE = {0.458f, 0.448f, 0.450f};
    private static final int[] CONV = {0, 3, 6, 8, 10};
    private static final long[][] CONV_SHAPES = {
            {64, 3, 11, 11}, {192, 64, 5, 5}, {384, 192, 3, 3}, {256, 384, 3, 3}, {256, 256, 3, 3}};

    private final NDManager manager;
    private final NDArray[] convW = new NDArray[5];
    private final NDArray[] convB = new NDArray[5];
    private final NDArray[] lin = new NDArray[5];

    private Lpips(NDManager manager) {
        this.manager = manager;
    }

    /** Loads the weights file; a missing or malformed file fails with a message naming the problem. */
    public static Lpips load(Path weights) throws IOException {
        if (weights == null || !Files.isRegularFile(weights)) {
            throw new IOException("LPIPS weights file not found: " + weights);
        }
        Map<String, float[]> data = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(weights)) {
            for (int k = 0; k < 5; k++) {
                data.put("w" + k, read(st, "features." + CONV[k] + ".weight", CONV_SHAPES[k]));
                data.put("b" + k, read(st, "features." + CONV[k] + ".bias", new long[]{CONV_SHAPES[k][0]}));
                long[] linShape = {1, CONV_SHAPES[k][0], 1, 1};
                String key = st.contains("lin" + k + ".weight") ? "lin" + k + ".weight" : "lin" + k + ".model.1.weight";
                data.put("l" + k, read(st, key, linShape));
            }
        }
        NDManager m = NDManager.newBaseManager();
        Lpips l = new Lpips(m);
        for (int k = 0; k < 5; k++) {
            l.convW[k] = OwnedArrays.of(m, data.get("w" + k), new Shape(CONV_SHAPES[k]));
            l.convB[k] = OwnedArrays.of(m, data.get("b" + k), new Shape(CONV_SHAPES[k][0]));
            l.lin[k] = OwnedArrays.of(m, data.get("l" + k), new Shape(1, CONV_SHAPES[k][0], 1, 1));
        }
        return l;
    }

    private static float[] read(SafeTensors st, String key, long[] shape) throws IOException {
        if (!st.contains(key)) {
            throw new IOException(st.source() + ": LPIPS weights lack '" + key + "' (see Lpips javadoc for the format)");
        }
        long[] actual = st.entry(key).shape();
        if (!java.util.Arrays.equals(actual, shape)) {
            throw new IOException(st.source() + ": '" + key + "' has shape " + java.util.Arrays.toString(actual)
                    + ", expected " + java.util.Arrays.toString(shape));
        }
        return st.readFloats(key);
    }

    /** LPIPS distance between two images of any (equal or different) size. */
    public double distance(BufferedImage a, BufferedImage b) {
        try (NDManager m = manager.newSubManager()) {
            NDArray[] fa = features(m, a);
            NDArray[] fb = features(m, b);
            double total = 0;
            for (int k = 0; k < 5; k++) {
                NDArray d = normalise(fa[k]).sub(normalise(fb[k])).square();
                NDArray head = Ops.conv2d(d, lin[k], null, 1, 0);
                total += head.mean().getFloat();
            }
            return total;
        }
    }

    /** {@code IF = 1 - LPIPS}. */
    public MetricValue imageFidelity(BufferedImage input, BufferedImage edited) {
        return MetricValue.of(METRIC_IF, 1 - distance(input, edited));
    }

    /** The IF metric when no weights file was given: unavailable, with the reason. */
    public static MetricValue unavailable(String reason) {
        return MetricValue.unavailable(METRIC_IF, reason);
    }

    private static NDArray normalise(NDArray f) {
        // f / (||f||_2 over channels + 1e-10)
        NDArray norm = f.square().sum(new int[]{1}, true).sqrt().add(1e-10f);
        return f.div(norm);
    }

    private NDArray[] features(NDManager m, BufferedImage img) {
        float[][] p = Bilinear.resize(Bilinear.toSigned(img), img.getHeight(), img.getWidth(), SIZE, SIZE);
        float[] flat = new float[3 * SIZE * SIZE];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < SIZE * SIZE; i++) {
                flat[c * SIZE * SIZE + i] = (p[c][i] - SHIFT[c]) / SCALE[c];
            }
        }
        NDArray x = OwnedArrays.of(m, flat, new Shape(1, 3, SIZE, SIZE));
        NDArray[] out = new NDArray[5];
        x = Activation.relu(conv(x, 0, 4, 2));
        out[0] = x;
        x = maxPool(x);
        x = Activation.relu(conv(x, 1, 1, 2));
        out[1] = x;
        x = maxPool(x);
        x = Activation.relu(conv(x, 2, 1, 1));
        out[2] = x;
        x = Activation.relu(conv(x, 3, 1, 1));
        out[3] = x;
        x = Activation.relu(conv(x, 4, 1, 1));
        out[4] = x;
        return out;
    }

    private NDArray conv(NDArray x, int k, int stride, int pad) {
        return Ops.conv2d(x, convW[k], convB[k], stride, pad);
    }

    private static NDArray maxPool(NDArray x) {
        return Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(0, 0), false);
    }

    @Override
    public void close() {
        manager.close();
    }
}
