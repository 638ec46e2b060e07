package io.rotationdrag.lora;

/** How the LoRA down matrix A is initialised; the up matrix B always starts at zero, so a new LoRA is the identity. */
public enum LoraInit {
    /** A ~ Normal(0, std = 1/rank): diffusers 0.24 {@code LoRALinearLayer}, what DragDiffusion trains with. */
    NORMAL,
    /** A ~ kaiming-uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)): PEFT's {@code LoraLayer} default. */
    KAIMING_UNIFORM
}
