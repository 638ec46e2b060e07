package io.rotationdrag.diffusion.unet;

import ai.djl.ndarray.NDArray;

/**
 * Hook that decides how one attention layer combines its projections; plugged per layer with
 * {@link Attention#setProcessor} (or for all layers with {@code UNet2DConditionModel#setAttentionProcessor}).
 *
 * <p>A processor must not re-implement the attention; it composes the layer's own steps:
 * <pre>{@code
 *   q = attn.query(hidden)           // to_q(hidden) + the layer's ProjectionDelta for Q (e.g. LoRA)
 *   k = attn.key(source)             // source = context for cross-attention, hidden for self-attention
 *   v = attn.value(source)
 *   o = attn.attend(q, k, v)         // multi-head softmax(QK^T/sqrt d)V, [B,N,C] in and out
 *   return attn.output(o)            // to_out.0(o) + delta
 * }</pre>
 * which is exactly {@link #DEFAULT}. Two uses drive the design:
 * <ul>
 *   <li><b>LoRA</b> does not need a processor: it installs {@link ProjectionDelta}s on to_q/to_k/to_v/to_out.0 with
 *   {@link Attention#setDelta}; the deltas' own parameters can require gradients, so a GradientCollector
 *   trains them while the base weights stay frozen.</li>
 *   <li><b>Mutual self-attention</b> (MasaCtrl-style, method.md stage 4): a processor on self-attention layers with
 *   {@code attn.info().selfIndex() >= startLayer} that, at the chosen steps ({@link AttentionCall#timestep()} or
 *   the caller's own step counter), computes {@code q, k, v} for the whole batch [source; edited], then replaces
 *   the edited half's k and v by the source half's and calls {@code attn.attend} on each half (or on the batch
 *   with k/v repeated). Deltas (LoRA) still apply because it calls query/key/value/output.</li>
 * </ul>
 * Processors run inside the UNet forward, so every NDArray they create must be derived from {@code hidden}
 * (its manager is the forward's scope and is closed after the call); they must not keep NDArrays across calls
 * unless they detach and own them. Each transformer block runs inside an {@link ai.djl.ndarray.NDScope} that
 * closes the arrays created in it when the block returns, so an array kept across calls must also be taken out
 * of that scope with {@code NDScope.unregister}.
 */
@FunctionalInterface
public interface AttentionProcessor {

    /**
     * @param attn    the layer (projections, attend, metadata)
     * @param hidden  normalised hidden states [B, N, C]
     * @param context text states [B, M, Ccross] for cross-attention, null for self-attention
     * @param call    per-forward information (timestep)
     * @return [B, N, C], the layer's output before the block's residual add
     */
    NDArray process(Attention attn, NDArray hidden, NDArray context, AttentionCall call);

    /** Standard attention: q from hidden, k/v from context (cross) or hidden (self). */
    AttentionProcessor DEFAULT = (attn, hidden, context, call) -> {
        NDArray src = context == null ? hidden : context;
        return attn.output(attn.attend(attn.query(hidden), attn.key(src), attn.value(src)));
    };
}
