package io.rotationdrag.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.unet.Attention;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * LoRA on to_q, to_k, to_v and to_out.0 of every attention layer of a UNet, plugged in through the engine's
 * {@link io.rotationdrag.diffusion.unet.ProjectionDelta} hook: each projection returns
 * {@code W x + b + s * m * B (A x)} with A [r, in], B [out, r], s the scale and m = alpha / r (1 without alpha).
 *
 * <p>The matrices live in this adapter's manager. For training, {@link #beginStep} swaps in leaf copies that require
 * gradients (fresh each step, so gradients never accumulate across steps) and {@link #endStep} returns their
 * gradients. Not thread-safe; one adapter attached to a UNet at a time.
 */
public final class LoraAdapter implements AutoCloseable {

    /** One adapted projection. */
    private static final class Layer {
        final String module;
        final Attention attention;
        final Attention.Projection projection;
        final int rank;
        final int in;
        final int out;
        final float alpha;
        NDArray down; // A^T [in, r]: stored transposed so x.matMul(down) lands in x's manager
        NDArray up;   // B^T [r, out]
        NDArray downLeaf;
        NDArray upLeaf;

        Layer(String module, Attention attention, Attention.Projection projection, int rank, int in, int out,
              float alpha) {
            this.module = module;
            this.attention = attention;
            this.projection = projection;
            this.rank = rank;
            this.in = in;
            this.out = out;
            this.alpha = alpha;
        }

        double factor(double scale) {
            return scale * (Float.isNaN(alpha) ? 1.0 : alpha / rank);
        }
    }

    private final NDManager manager;
    private final Map<String, Layer> layers;
    private final double scale;
    private boolean attached;

    private LoraAdapter(NDManager manager, Map<String, Layer> layers, double scale) {
        this.manager = manager;
        this.layers = layers;
        this.scale = scale;
    }

    /** The module paths (diffusers names) of every projection a LoRA covers in this UNet, in forward order. */
    public static List<String> targetModules(UNet2DConditionModel unet) {
        List<String> out = new ArrayList<>();
        for (Attention a : unet.attentionLayers()) {
            for (Attention.Projection p : Attention.Projection.values()) {
                out.add(a.info().path() + "." + p.module);
            }
        }
        return out;
    }

    /**
     * A fresh LoRA: A drawn with {@code java.util.Random(options.seed())} in forward order of the layers, B = 0, so the
     * adapted UNet starts equal to the base UNet.
     */
    public static LoraAdapter create(UNet2DConditionModel unet, LoraOptions options, NDManager parent) {
        NDManager mm = parent.newSubManager();
        Random rnd = new Random(options.seed());
        Map<String, Layer> layers = new LinkedHashMap<>();
        int r = options.rank();
        for (Attention a : unet.attentionLayers()) {
            for (Attention.Projection p : Attention.Projection.values()) {
                var lin = a.projection(p);
                String module = a.info().path() + "." + p.module;
                Layer l = new Layer(module, a, p, r, lin.in, lin.out, Float.NaN);
                float[] down = new float[r * lin.in];
                if (options.init() == LoraInit.NORMAL) {
                    double std = 1.0 / r; // diffusers LoRALinearLayer: nn.init.normal_(down, std=1/rank)
                    for (int i = 0; i < down.length; i++) {
                        down[i] = (float) (rnd.nextGaussian() * std);
                    }
                } else {
                    // kaiming_uniform_(a=sqrt(5)): gain sqrt(2/(1+5)), bound = gain * sqrt(3/fan_in) = 1/sqrt(fan_in)
                    double bound = 1.0 / Math.sqrt(lin.in);
                    for (int i = 0; i < down.length; i++) {
                        down[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
                    }
                }
                l.down = OwnedArrays.of(mm, transpose(down, r, lin.in), new Shape(lin.in, r));
                l.up = mm.zeros(new Shape(r, lin.out), DataType.FLOAT32);
                layers.put(module, l);
            }
        }
        return new LoraAdapter(mm, layers, options.scale());
    }

    /**
     * Loads trained weights for this UNet. Every file layer must name an attention projection of this UNet with
     * matching in/out sizes; projections the file does not cover stay unadapted (a LoRA may cover a subset).
     *
     * @throws IllegalArgumentException naming the module for an unknown module or a shape mismatch
     */
    public static LoraAdapter load(UNet2DConditionModel unet, LoraWeights weights, NDManager parent) {
        Map<String, Attention> attn = new TreeMap<>();
        for (Attention a : unet.attentionLayers()) {
            attn.put(a.info().path(), a);
        }
        NDManager mm = parent.newSubManager();
        try {
            Map<String, Layer> layers = new LinkedHashMap<>();
            for (LoraLayerWeights w : weights.layers().values()) {
                Attention a = attn.get(LoraKeys.attentionOf(w.module()));
                if (a == null) {
                    throw new IllegalArgumentException("LoRA layer '" + w.module()
                            + "' names an attention layer this UNet does not have (a LoRA for another model?)");
                }
                Attention.Projection p = projectionOf(w.module());
                var lin = a.projection(p);
                if (lin.in != w.in() || lin.out != w.out()) {
                    throw new IllegalArgumentException("LoRA layer '" + w.module() + "' is " + w.in() + "->"
                            + w.out() + " but the UNet projection is " + lin.in + "->" + lin.out);
                }
                Layer l = new Layer(w.module(), a, p, w.rank(), w.in(), w.out(), w.alpha());
                l.down = OwnedArrays.of(mm, transpose(w.down(), w.rank(), w.in()), new Shape(w.in(), w.rank()));
                l.up = OwnedArrays.of(mm, transpose(w.up(), w.out(), w.rank()), new Shape(w.rank(), w.out()));
                layers.put(w.module(), l);
            }
            return new LoraAdapter(mm, layers, weights.scale());
        } catch (RuntimeException e) {
            mm.close();
            throw e;
        }
    }

    private static Attention.Projection projectionOf(String module) {
        String p = LoraKeys.projection(module);
        return switch (p) {
            case "to_q" -> Attention.Projection.Q;
            case "to_k" -> Attention.Projection.K;
            case "to_v" -> Attention.Projection.V;
            default -> Attention.Projection.OUT;
        };
    }

    public int size() {
        return layers.size();
    }

    public double scale() {
        return scale;
    }

    /** Installs the deltas on the UNet's projections (replacing whatever delta was there). */
    public void attach() {
        for (Layer l : layers.values()) {
            final Layer layer = l;
            final float f = (float) l.factor(scale);
            l.attention.setDelta(l.projection, x -> {
                NDArray a = layer.downLeaf != null ? layer.downLeaf : layer.down;
                NDArray b = layer.upLeaf != null ? layer.upLeaf : layer.up;
                // delta(x) = f * (x A^T) B^T; x [.., in]; results belong to x's (the forward's) manager
                NDArray h = x.matMul(a);
                NDArray y = h.matMul(b);
                return f == 1f ? y : OwnedArrays.mul(y, f);
            });
        }
        attached = true;
    }

    /** Removes the deltas this adapter installed. */
    public void detach() {
        for (Layer l : layers.values()) {
            l.attention.setDelta(l.projection, null);
        }
        attached = false;
    }

    public boolean isAttached() {
        return attached;
    }

    /**
     * Starts a training step: the deltas use leaf copies (in {@code step}) of A and B that require gradients.
     * Returns them in the order of {@link #parameters()}.
     */
    public List<NDArray> beginStep(NDManager step) {
        List<NDArray> out = new ArrayList<>();
        for (Layer l : layers.values()) {
            l.downLeaf = l.down.duplicate();
            l.downLeaf.attach(step);
            l.downLeaf.setRequiresGradient(true);
            l.upLeaf = l.up.duplicate();
            l.upLeaf.attach(step);
            l.upLeaf.setRequiresGradient(true);
            out.add(l.downLeaf);
            out.add(l.upLeaf);
        }
        return out;
    }

    /** Ends a training step (the leaf copies are dropped; the step manager closes them). */
    public void endStep() {
        for (Layer l : layers.values()) {
            l.downLeaf = null;
            l.upLeaf = null;
        }
    }

    /** Row-major [rows, cols] -> [cols, rows]. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    /** The stored matrices [A0^T, B0^T, A1^T, B1^T, ...] (what an optimiser updates in place). */
    public List<NDArray> parameters() {
        List<NDArray> out = new ArrayList<>();
        for (Layer l : layers.values()) {
            out.add(l.down);
            out.add(l.up);
        }
        return Collections.unmodifiableList(out);
    }

    /** Copies the matrices to plain Java data. */
    public LoraWeights toWeights(Map<String, String> metadata) {
        Map<String, LoraLayerWeights> out = new TreeMap<>();
        for (Layer l : layers.values()) {
            out.put(l.module, new LoraLayerWeights(l.module, l.rank, l.in, l.out,
                    transpose(l.down.toFloatArray(), l.in, l.rank), transpose(l.up.toFloatArray(), l.rank, l.out),
                    l.alpha));
        }
        return new LoraWeights(out, scale, metadata);
    }

    @Override
    public void close() {
        if (attached) {
            detach();
        }
        manager.close();
    }
}
