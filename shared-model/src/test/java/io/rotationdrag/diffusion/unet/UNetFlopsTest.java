package io.rotationdrag.diffusion.unet;

import io.rotationdrag.diffusion.io.UNetConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UNetFlopsTest {

    /**
     * SD 1.5 at a 64x64 latent, 77 text tokens: the attention matmuls from a hand-written table of the
     * transformer layers per level (2 down + 3 up at 64, 32, 16; 1 mid at 8), independent of parameter names:
     * self 4 N^2 C, cross 4 N 77 C per layer.
     */
    @Test
    void sd15AttentionFlopsFromTheLayerTable() {
        UNetFlops f = UNetFlops.of(UNet2DConditionModel.declare(UNetConfig.sd15()), 64, 64, 77, 1);
        long[][] levels = {{5, 320, 64 * 64}, {5, 640, 32 * 32}, {5, 1280, 16 * 16}, {1, 1280, 8 * 8}};
        double want = 0;
        for (long[] l : levels) {
            want += l[0] * (4.0 * l[2] * l[2] * l[1] + 4.0 * l[2] * 77 * l[1]);
        }
        assertEquals(want, f.attention(), 0.5);
        // sd15.md: "of the order of 0.4 T multiply-adds" per forward
        double macs = f.forward() / 2;
        System.out.printf("SD 1.5 64x64: %.1f GFLOP forward (conv %.1f, linear %.1f, attention %.1f), backward %.1f%n",
                f.forward() / 1e9, f.conv() / 1e9, f.linear() / 1e9, f.attention() / 1e9, f.backward() / 1e9);
        assertTrue(macs > 0.3e12 && macs < 0.5e12, "MACs " + macs);
        assertTrue(f.backward() > f.forward() && f.backward() < 1.5 * f.forward());
    }

    @Test
    void convInAndLevelsByHand() {
        // batch and size scale the spatial ops linearly
        UNet2DConditionModel u = UNet2DConditionModel.declare(UNetConfig.sd15());
        UNetFlops a = UNetFlops.of(u, 64, 64, 77, 1);
        UNetFlops b = UNetFlops.of(u, 64, 64, 77, 2);
        assertEquals(2 * a.conv(), b.conv(), 1);
        assertEquals(2 * a.forward(), b.forward(), 1);
        assertEquals(0, UNetFlops.level("conv_in.weight", 4));
        assertEquals(1, UNetFlops.level("down_blocks.0.downsamplers.0.conv.weight", 4));
        assertEquals(3, UNetFlops.level("mid_block.resnets.0.conv1.weight", 4));
        assertEquals(3, UNetFlops.level("up_blocks.0.resnets.2.conv1.weight", 4));
        assertEquals(2, UNetFlops.level("up_blocks.0.upsamplers.0.conv.weight", 4));
        assertEquals(0, UNetFlops.level("up_blocks.3.attentions.2.proj_out.weight", 4));
        // conv_in alone: 2 * 320 * 4 * 3 * 3 * 64 * 64 FLOPs; removing it from a model-free count
        double convIn = 2.0 * 320 * 4 * 9 * 64 * 64;
        assertEquals(94_371_840.0, convIn);
        assertTrue(a.conv() > convIn);
    }
}
