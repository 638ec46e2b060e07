package io.rotationdrag.lora;

import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.unet.Attention;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;

/**
 * A LoRA attached to a UNet for the duration of one stage: {@code try (AttachedLora l = AttachedLora.attach(unet, w,
 * m)) { ... }} loads {@code w}, installs its deltas and removes them on close.
 *
 * <p>Semantics of {@code weights == null}: "use the UNet as it is", i.e. whatever adapter the caller has already
 * attached (possibly none); nothing is installed or removed. With non-null weights the UNet must carry no delta yet,
 * so two LoRAs are never mixed silently.
 */
public final class AttachedLora implements AutoCloseable {

    private final LoraAdapter adapter;

    private AttachedLora(LoraAdapter adapter) {
        this.adapter = adapter;
    }

    /**
     * @param weights the LoRA, or null to leave the UNet as it is
     * @throws IllegalStateException when weights are given but a delta is already installed
     */
    public static AttachedLora attach(UNet2DConditionModel unet, LoraWeights weights, NDManager parent) {
        if (weights == null) {
            return new AttachedLora(null);
        }
        if (hasDeltas(unet)) {
            throw new IllegalStateException("the UNet already carries a LoRA/projection delta; detach it before "
                    + "attaching another one");
        }
        LoraAdapter a = LoraAdapter.load(unet, weights, parent);
        a.attach();
        return new AttachedLora(a);
    }

    /** Whether any attention projection of the UNet has a delta installed. */
    public static boolean hasDeltas(UNet2DConditionModel unet) {
        for (Attention a : unet.attentionLayers()) {
            for (Attention.Projection p : Attention.Projection.values()) {
                if (a.delta(p) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether this scope installed a LoRA (false for {@code weights == null}). */
    public boolean installed() {
        return adapter != null;
    }

    @Override
    public void close() {
        if (adapter != null) {
            adapter.close();
        }
    }
}
