package io.rotationdrag.lora;

/**
 * LoRA fine-tuning settings (method.md stage 1). Defaults are the RotationDrag UI's: rank 16, 60 steps, AdamW lr 5e-4
 * (betas 0.9/0.999, weight decay 1e-2, eps 1e-8), batch 4 of the same image, seed 0 (DragDiffusion's
 * {@code train_lora} seeds 0, independent of the edit's seed, so one LoRA serves edits with any seed).
 * DragDiffusion itself trains 80 steps ({@link #dragDiffusion()}).
 *
 * @param enabled      false = edit with the plain base UNet
 * @param rank         r of A [r, in] and B [out, r]
 * @param scale        s in y = W x + b + s * B (A x) (the cross_attention_kwargs "scale", 1.0 in the reference)
 * @param steps        optimiser steps
 * @param learningRate AdamW learning rate (constant schedule)
 * @param beta1        AdamW beta1
 * @param beta2        AdamW beta2
 * @param weightDecay  AdamW decoupled weight decay
 * @param epsilon      AdamW eps
 * @param batchSize    copies of the image per step (each with its own crop, noise and timestep)
 * @param init         init of A
 * @param seed         seed of init, crops, timesteps and noise
 */
public record LoraOptions(boolean enabled, int rank, double scale, int steps, double learningRate, double beta1,
                          double beta2, double weightDecay, double epsilon, int batchSize, LoraInit init, long seed) {

    public LoraOptions {
        if (init == null) {
            init = LoraInit.NORMAL;
        }
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("LoRA steps must be >= 0, got " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("LoRA batch size must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0) || !(epsilon > 0) || weightDecay < 0 || beta1 < 0 || beta1 >= 1 || beta2 < 0
                || beta2 >= 1 || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("invalid LoRA optimiser settings: lr " + learningRate + ", betas "
                    + beta1 + "/" + beta2 + ", wd " + weightDecay + ", eps " + epsilon + ", scale " + scale);
        }
    }

    /** RotationDrag UI defaults (60 steps). */
    public static LoraOptions defaults() {
        return new LoraOptions(true, 16, 1.0, 60, 5e-4, 0.9, 0.999, 1e-2, 1e-8, 4, LoraInit.NORMAL, 0L);
    }

    /** DragDiffusion's defaults (80 steps). */
    public static LoraOptions dragDiffusion() {
        return defaults().withSteps(80);
    }

    public static LoraOptions disabled() {
        return new LoraOptions(false, 16, 1.0, 0, 5e-4, 0.9, 0.999, 1e-2, 1e-8, 4, LoraInit.NORMAL, 0L);
    }

    public LoraOptions withSteps(int s) {
        return new LoraOptions(enabled, rank, scale, s, learningRate, beta1, beta2, weightDecay, epsilon, batchSize,
                init, seed);
    }

    public LoraOptions withRank(int r) {
        return new LoraOptions(enabled, r, scale, steps, learningRate, beta1, beta2, weightDecay, epsilon, batchSize,
                init, seed);
    }

    public LoraOptions withScale(double s) {
        return new LoraOptions(enabled, rank, s, steps, learningRate, beta1, beta2, weightDecay, epsilon, batchSize,
                init, seed);
    }

    public LoraOptions withBatchSize(int b) {
        return new LoraOptions(enabled, rank, scale, steps, learningRate, beta1, beta2, weightDecay, epsilon, b, init,
                seed);
    }

    public LoraOptions withLearningRate(double lr) {
        return new LoraOptions(enabled, rank, scale, steps, lr, beta1, beta2, weightDecay, epsilon, batchSize, init,
                seed);
    }

    public LoraOptions withInit(LoraInit i) {
        return new LoraOptions(enabled, rank, scale, steps, learningRate, beta1, beta2, weightDecay, epsilon, batchSize,
                i, seed);
    }

    public LoraOptions withSeed(long s) {
        return new LoraOptions(enabled, rank, scale, steps, learningRate, beta1, beta2, weightDecay, epsilon, batchSize,
                init, s);
    }

    /** A stable text form of every field (the cache key hashes it). */
    public String canonical() {
        return "enabled=" + enabled + ";rank=" + rank + ";scale=" + Double.toString(scale) + ";steps=" + steps
                + ";lr=" + learningRate + ";betas=" + beta1 + "," + beta2 + ";wd=" + weightDecay + ";eps=" + epsilon
                + ";batch=" + batchSize + ";init=" + init + ";seed=" + seed;
    }
}
