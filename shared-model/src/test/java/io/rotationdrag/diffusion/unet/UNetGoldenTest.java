package io.rotationdrag.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rotationdrag.diffusion.Golden;
import io.rotationdrag.diffusion.io.SafeTensors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UNet parity with diffusers outputs stored in ../shared/golden/tiny-sd-a (fp32, torch CPU). */
class UNetGoldenTest {

    @Test
    void matchesDiffusersNoiseAndUpBlocks() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = UNet2DConditionModel.load(Golden.tinySdA().resolve("unet"), m, DataType.FLOAT32);
             SafeTensors g = SafeTensors.open(Golden.tinySdA().resolve("golden.safetensors"))) {
            NDArray latent = Golden.load(g, m, "unet.in.latent");
            NDArray text = Golden.load(g, m, "unet.in.text");
            double worst = 0;
            StringBuilder report = new StringBuilder();
            for (int t : new int[]{981, 501, 1}) {
                try (NDManager step = m.newSubManager()) {
                    NDArray lat = latent.duplicate();
                    lat.attach(step);
                    UNetOutput out = unet.forward(lat, t, text, UNetRequest.noiseAnd(0, 1, 2, 3));
                    NDArray ref = Golden.load(g, step, "unet.t" + t + ".out");
                    double d = Golden.maxAbsDiff(out.noise(), ref);
                    report.append(String.format("t=%d out %.3g (|ref| max %.3g)", t, d, Golden.maxAbs(ref)));
                    worst = Math.max(worst, d);
                    for (int i = 0; i < 4; i++) {
                        NDArray r = Golden.load(g, step, "unet.t" + t + ".up_block" + i);
                        double di = Golden.maxAbsDiff(out.upBlock(i), r);
                        report.append(String.format(" up%d %.3g", i, di));
                        worst = Math.max(worst, di / Math.max(1, Golden.maxAbs(r)));
                    }
                    report.append('\n');
                }
            }
            System.out.println("UNet golden parity (max abs diff):\n" + report);
            assertTrue(worst < 1e-4, "UNet parity " + worst + "\n" + report);
        }
    }

    @Test
    void listsAttentionLayersInForwardOrder() throws Exception {
        UNet2DConditionModel u = UNet2DConditionModel.declare(io.rotationdrag.diffusion.io.UNetConfig.sd15());
        var layers = u.attentionLayers();
        assertEquals(32, layers.size());
        assertEquals("down_blocks.0.attentions.0.transformer_blocks.0.attn1", layers.get(0).info().path());
        assertEquals(Attention.Kind.CROSS, layers.get(1).info().kind());
        assertEquals("mid_block.attentions.0.transformer_blocks.0.attn1", layers.get(12).info().path());
        assertEquals(6, layers.get(12).info().selfIndex());
        assertEquals("up_blocks.2.attentions.0.transformer_blocks.0.attn1", layers.get(20).info().path());
        assertEquals(10, layers.get(20).info().selfIndex());
        assertEquals(15, layers.get(30).info().selfIndex());
        assertEquals(160, layers.get(12).info().headDim());
        assertEquals(768, layers.get(13).info().contextDim());
    }
}
