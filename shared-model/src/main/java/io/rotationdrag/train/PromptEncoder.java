package io.rotationdrag.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/** Prompts -> text states (B x L x D), the UNet's cross-attention context. Frozen. */
public interface PromptEncoder {

    NDArray encode(List<String> prompts, NDManager manager);
}
