package io.rotationdrag.gateway.sweep;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Body of {@code POST /api/v1/sweeps}.
 *
 * @param dataset    a dataset imported into rd-datasets
 * @param methods    method ids (dragdiffusion, rotationdrag, rotationdrag-cached, freedrag, dragdiffusion-blend,
 *                   rotate-pixels, rotate-latent)
 * @param options    option grid or list of option sets ({@link OptionGrid}); null = method defaults
 * @param maxSamples use only the first N samples (in dataset order); null = all
 */
public record SweepRequest(String dataset, List<String> methods, JsonNode options, Integer maxSamples) {
}
