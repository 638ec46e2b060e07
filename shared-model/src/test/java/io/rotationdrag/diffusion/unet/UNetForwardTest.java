package io.rotationdrag.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.Golden;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Feature requests with early stop, and the attention-processor hook, on the tiny UNet. */
class UNetForwardTest {

    @Test
    void featuresOnlyStopsAfterTheLastWantedUpBlockAndEqualsTheFullForward() {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = TinyUNet.create(m, DataType.FLOAT32, 3)) {
            NDArray x = m.randomNormal(new Shape(1, 4, 16, 16));
            NDArray text = m.randomNormal(new Shape(1, 77, 32));
            List<String> called = Collections.synchronizedList(new ArrayList<>());
            unet.setAttentionProcessor((attn, hidden, context, call) -> {
                called.add(attn.info().path());
                return AttentionProcessor.DEFAULT.process(attn, hidden, context, call);
            });
            UNetOutput full = unet.forward(x, 501, text, UNetRequest.noiseAnd(0, 1, 2, 3));
            int fullCalls = called.size();
            assertEquals(unet.attentionLayers().size(), fullCalls);
            // up-block widths of Spec.small (base 16): [32 @ 4], [32 @ 8], [32 @ 16], [16 @ 16]
            assertEquals(new Shape(1, 32, 4, 4), full.upBlock(0).getShape());
            assertEquals(new Shape(1, 32, 8, 8), full.upBlock(1).getShape());
            assertEquals(new Shape(1, 32, 16, 16), full.upBlock(2).getShape());
            assertEquals(new Shape(1, 16, 16, 16), full.upBlock(3).getShape());

            called.clear();
            UNetOutput early = unet.forward(x, 501, text, UNetRequest.featuresOnly(2));
            assertNull(early.noise());
            assertEquals(Set.of(2), early.upBlocks().keySet());
            assertEquals(0.0, Golden.maxAbsDiff(early.upBlock(2), full.upBlock(2)));
            assertTrue(called.stream().noneMatch(p -> p.startsWith("up_blocks.3.")), "up block 3 ran: " + called);
            assertTrue(called.stream().anyMatch(p -> p.startsWith("up_blocks.2.")));
            assertEquals(fullCalls - 6, called.size(), "up block 3 has 3 transformers x (attn1 + attn2)");

            unet.setAttentionProcessor(null);
            assertThrows(IllegalArgumentException.class, () -> UNetRequest.featuresOnly());
            assertThrows(IllegalArgumentException.class, () -> unet.forward(x, 501, text, UNetRequest.featuresOnly(4)));
        }
    }

    @Test
    void processorHookReplacesAttentionAndSeesLayerOrder() {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = TinyUNet.create(m, DataType.FLOAT32, 4)) {
            NDArray x = m.randomNormal(new Shape(1, 4, 16, 16));
            NDArray text = m.randomNormal(new Shape(1, 77, 32));
            NDArray ref = unet.predictNoise(x, 261, text);

            // a processor that computes attention its own way (explicit softmax(QK^T/sqrt d)V per head) must agree
            List<Integer> selfOrder = Collections.synchronizedList(new ArrayList<>());
            unet.setAttentionProcessor((attn, hidden, context, call) -> {
                assertEquals(261.0, call.timestep());
                if (attn.info().kind() == Attention.Kind.SELF) {
                    selfOrder.add(attn.info().selfIndex());
                }
                NDArray src = context == null ? hidden : context;
                NDArray q = attn.query(hidden);
                NDArray k = attn.key(src);
                NDArray v = attn.value(src);
                int heads = attn.info().heads();
                long d = attn.info().headDim();
                List<NDArray> outs = new ArrayList<>();
                for (int h = 0; h < heads; h++) {
                    String cols = ":, :, " + (h * d) + ":" + ((h + 1) * d);
                    NDArray p = q.get(cols).matMul(k.get(cols).transpose(0, 2, 1)).div(Math.sqrt(d)).softmax(-1);
                    outs.add(p.matMul(v.get(cols)));
                }
                NDArray o = outs.get(0);
                for (int h = 1; h < heads; h++) {
                    o = o.concat(outs.get(h), 2);
                }
                return attn.output(o);
            });
            NDArray mine = unet.predictNoise(x, 261, text);
            assertTrue(Golden.maxAbsDiff(mine, ref) < 1e-5, "own attention differs: " + Golden.maxAbsDiff(mine, ref));
            List<Integer> want = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                want.add(i);
            }
            assertEquals(want, selfOrder);

            // zeroing self-attention from index 10 on (the mutual-attention layers) must change the output
            unet.setAttentionProcessor((attn, hidden, context, call) -> attn.info().selfIndex() >= 10
                    ? hidden.zerosLike() : AttentionProcessor.DEFAULT.process(attn, hidden, context, call));
            NDArray cut = unet.predictNoise(x, 261, text);
            assertTrue(Golden.maxAbsDiff(cut, ref) > 1e-3);
            unet.setAttentionProcessor(null);
            assertEquals(0.0, Golden.maxAbsDiff(unet.predictNoise(x, 261, text), ref));
        }
    }
}
