package io.rotationdrag.gateway.jobs;

import io.rotationdrag.edit.EditOptions;
import io.rotationdrag.gateway.GatewayConfig;
import io.rotationdrag.gateway.api.ApiException;

/**
 * The server's upper bounds on a job's resolved options ({@code rd.gateway.limits.*}), checked before anything is
 * stored: a job's cost grows with its steps, rank, batch and windows, and a request must not buy unbounded work.
 */
public final class OptionLimits {
    private OptionLimits() {
    }

    /** @throws ApiException 400 with field {@code options.<path>} of the first option over its bound */
    public static void check(EditOptions o, GatewayConfig.Limits l) {
        max("options.drag.maxSteps", o.drag().maxSteps(), l.dragMaxSteps());
        max("options.drag.trackRadius", o.drag().trackRadius(), l.dragTrackRadius());
        max("options.drag.supervisionRadius", o.drag().supervisionRadius(), l.dragSupervisionRadius());
        max("options.inversion.numInferenceSteps", o.inversion().numInferenceSteps(), l.inversionSteps());
        if (o.lora().enabled()) {
            max("options.lora.steps", o.lora().steps(), l.loraSteps());
            max("options.lora.rank", o.lora().rank(), l.loraRank());
            max("options.lora.batchSize", o.lora().batchSize(), l.loraBatchSize());
        }
        if (o.previewEvery() > 0) {
            long previews = (o.drag().maxSteps() + (long) o.previewEvery() - 1) / o.previewEvery();
            if (previews > l.previews()) {
                throw ApiException.badRequest("options.previewEvery", "options.previewEvery " + o.previewEvery()
                        + " gives " + previews + " previews over " + o.drag().maxSteps() + " drag steps; at most "
                        + l.previews() + " are allowed (previewEvery >= "
                        + ((o.drag().maxSteps() + l.previews() - 1) / l.previews()) + ", or 0 for none)");
            }
        }
    }

    private static void max(String field, long value, long max) {
        if (value > max) {
            throw ApiException.badRequest(field, field + " is " + value + "; this server allows at most " + max);
        }
    }
}
