package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import io.rotationdrag.diffusion.unet.Attention;
import io.rotationdrag.diffusion.unet.AttentionCall;
import io.rotationdrag.diffusion.unet.AttentionProcessor;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Mutual self-attention control (MasaCtrl, as DragDiffusion uses it in its final denoising; method.md stage 4).
 *
 * <p>The UNet runs a batch [original, edited, ...]. In a self-attention layer with
 * {@code selfIndex >= startLayer} (self-attention layers counted in UNet forward order, 16 in SD 1.5) and at a
 * denoising step {@code >= startStep}, every item attends with its own queries to the keys and values of item 0
 * (the original):
 * <pre>
 *   out_b = to_out( softmax(q_b k_0^T / sqrt(d)) v_0 ),   q_b = to_q(h_b),  k_0 = to_k(h_0),  v_0 = to_v(h_0)
 * </pre>
 * For item 0 this is ordinary self-attention, so the original branch is reproduced unchanged. Cross-attention and the
 * other layers use the standard processor. The layer's own projection methods are called, so LoRA deltas
 * ({@link io.rotationdrag.diffusion.unet.ProjectionDelta}) apply to q, k, v and out as usual.
 *
 * <p>The step counter is the caller's: the denoising loop calls {@link #setStep} before each UNet forward (step 0 =
 * the first denoising step at the inversion timestep). Not thread-safe: one control per denoising run.
 */
public final class MutualSelfAttentionControl implements AttentionProcessor {

    private final int startStep;
    private final int startLayer;
    private volatile int step;

    /**
     * @param startStep  first denoising step (0-based) at which the control acts
     * @param startLayer first self-attention layer index (0-based, forward order) at which the control acts; a value
     *                   at or beyond the number of self-attention layers switches it off
     */
    public MutualSelfAttentionControl(int startStep, int startLayer) {
        if (startStep < 0 || startLayer < 0) {
            throw new IllegalArgumentException("start step and start layer must be >= 0, got " + startStep + ", "
                    + startLayer);
        }
        this.startStep = startStep;
        this.startLayer = startLayer;
    }

    /** The control for a UNet with {@code selfLayers} self-attention layers (start layer scaled from SD 1.5's 16). */
    public static MutualSelfAttentionControl of(DenoiseOptions o, int selfLayers) {
        return new MutualSelfAttentionControl(o.startStep(), o.startLayerFor(selfLayers));
    }

    /** Number of self-attention layers of a UNet (16 for SD 1.5 and the tiny test models). */
    public static int selfAttentionLayers(UNet2DConditionModel unet) {
        return (int) unet.attentionLayers().stream().filter(a -> a.info().kind() == Attention.Kind.SELF).count();
    }

    public int startStep() {
        return startStep;
    }

    public int startLayer() {
        return startLayer;
    }

    public int step() {
        return step;
    }

    /** Sets the current denoising step (0-based). */
    public void setStep(int step) {
        this.step = step;
    }

    /** Whether the control replaces k/v in this layer at the current step. */
    public boolean active(Attention.Info info) {
        return info.kind() == Attention.Kind.SELF && info.selfIndex() >= startLayer && step >= startStep;
    }

    @Override
    public NDArray process(Attention attn, NDArray hidden, NDArray context, AttentionCall call) {
        long batch = hidden.getShape().get(0);
        if (context != null || batch < 2 || !active(attn.info())) {
            return DEFAULT.process(attn, hidden, context, call);
        }
        NDArray q = attn.query(hidden);
        // keys/values of the original (item 0) only, shared by every item of the batch
        NDArray src = hidden.get("0:1");
        NDArray k = attn.key(src).repeat(0, batch);
        NDArray v = attn.value(src).repeat(0, batch);
        return attn.output(attn.attend(q, k, v));
    }

    /**
     * Installs this control on every attention layer of {@code unet}; closing the returned handle restores the
     * processors that were there before.
     */
    public Installed install(UNet2DConditionModel unet) {
        List<Attention> layers = unet.attentionLayers();
        List<AttentionProcessor> previous = new ArrayList<>(layers.size());
        for (Attention a : layers) {
            previous.add(a.processor());
            a.setProcessor(this);
        }
        return () -> {
            for (int i = 0; i < layers.size(); i++) {
                layers.get(i).setProcessor(previous.get(i));
            }
        };
    }

    /** An installation that can be undone. */
    @FunctionalInterface
    public interface Installed extends AutoCloseable {
        @Override
        void close();
    }
}
