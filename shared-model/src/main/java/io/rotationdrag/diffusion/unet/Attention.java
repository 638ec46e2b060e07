package io.rotationdrag.diffusion.unet;

import ai.djl.ndarray.NDArray;
import io.rotationdrag.diffusion.nn.LinearLayer;
import io.rotationdrag.diffusion.nn.Ops;
import io.rotationdrag.diffusion.nn.ParameterStore;

import java.util.EnumMap;
import java.util.Map;

/**
 * diffusers {@code Attention} (no residual inside; the caller adds it): to_q, to_k, to_v (bias only in the VAE),
 * to_out.0 (with bias), multi-head softmax attention with scale 1/sqrt(head_dim). Its forward is delegated to an
 * {@link AttentionProcessor}; its projections add optional {@link ProjectionDelta}s (LoRA).
 */
public final class Attention {

    /** The four projections, named by their diffusers sub-module. */
    public enum Projection {
        Q("to_q"), K("to_k"), V("to_v"), OUT("to_out.0");

        public final String module;

        Projection(String module) {
            this.module = module;
        }
    }

    /** Self- or cross-attention. */
    public enum Kind { SELF, CROSS }

    /**
     * Layer metadata.
     *
     * @param index      position among all attention layers of the model in forward order
     * @param path       diffusers module path, e.g. {@code down_blocks.0.attentions.0.transformer_blocks.0.attn1}
     * @param selfIndex  position among self-attention layers in forward order (0..15 for SD 1.5), -1 for cross
     * @param queryDim   C (channels of the hidden states)
     * @param contextDim input width of to_k/to_v (C for self, cross_attention_dim for cross)
     */
    public record Info(int index, String path, Kind kind, int selfIndex, int queryDim, int contextDim, int heads) {
        public int headDim() {
            return queryDim / heads;
        }
    }

    private final Info info;
    private final LinearLayer toQ;
    private final LinearLayer toK;
    private final LinearLayer toV;
    private final LinearLayer toOut;
    private final Map<Projection, ProjectionDelta> deltas = new EnumMap<>(Projection.class);
    private volatile AttentionProcessor processor = AttentionProcessor.DEFAULT;

    public Attention(ParameterStore s, Info info, boolean qkvBias) {
        this.info = info;
        String p = info.path();
        toQ = new LinearLayer(s, p + ".to_q", info.queryDim(), info.queryDim(), qkvBias);
        toK = new LinearLayer(s, p + ".to_k", info.contextDim(), info.queryDim(), qkvBias);
        toV = new LinearLayer(s, p + ".to_v", info.contextDim(), info.queryDim(), qkvBias);
        toOut = new LinearLayer(s, p + ".to_out.0", info.queryDim(), info.queryDim(), true);
    }

    public Info info() {
        return info;
    }

    public LinearLayer projection(Projection p) {
        return switch (p) {
            case Q -> toQ;
            case K -> toK;
            case V -> toV;
            case OUT -> toOut;
        };
    }

    public AttentionProcessor processor() {
        return processor;
    }

    public void setProcessor(AttentionProcessor p) {
        this.processor = p == null ? AttentionProcessor.DEFAULT : p;
    }

    /** Installs (or removes with null) an additive delta on one projection. */
    public void setDelta(Projection p, ProjectionDelta d) {
        synchronized (deltas) {
            if (d == null) {
                deltas.remove(p);
            } else {
                deltas.put(p, d);
            }
        }
    }

    public ProjectionDelta delta(Projection p) {
        synchronized (deltas) {
            return deltas.get(p);
        }
    }

    public void clearDeltas() {
        synchronized (deltas) {
            deltas.clear();
        }
    }

    private NDArray project(Projection p, NDArray x) {
        NDArray y = projection(p).forward(x);
        ProjectionDelta d = delta(p);
        return d == null ? y : y.add(d.delta(x));
    }

    public NDArray query(NDArray hidden) {
        return project(Projection.Q, hidden);
    }

    public NDArray key(NDArray source) {
        return project(Projection.K, source);
    }

    public NDArray value(NDArray source) {
        return project(Projection.V, source);
    }

    public NDArray output(NDArray attended) {
        return project(Projection.OUT, attended);
    }

    /** Multi-head attention core, [B,N,C] x [B,M,C] x [B,M,C] -> [B,N,C]. */
    public NDArray attend(NDArray q, NDArray k, NDArray v) {
        return Ops.attention(q, k, v, info.heads());
    }

    /** Runs the installed processor. */
    public NDArray forward(NDArray hidden, NDArray context, AttentionCall call) {
        return processor.process(this, hidden, info.kind() == Kind.SELF ? null : context, call);
    }
}
