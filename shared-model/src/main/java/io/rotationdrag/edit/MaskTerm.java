package io.rotationdrag.edit;

/**
 * When the drag loss gets the mask term lam * sum(|x_prev(z) - x_prev(z0)| * (1 - mask)).
 * The two only differ when no mask was drawn: the mask is then all zeros, so {@link #ALWAYS} pins the whole latent
 * (the RotationDrag reference's behaviour) while {@link #WHEN_MASK_DRAWN} (DragDiffusion) leaves it out, which
 * matches the product rule "no mask = everything editable".
 */
public enum MaskTerm {
    ALWAYS,
    WHEN_MASK_DRAWN,
    NEVER
}
