package io.rotationdrag.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA file layouts and the serialised artefact, without a model. */
class LoraWeightsTest {

    private static final String ATTN = "down_blocks.0.attentions.0.transformer_blocks.0.attn1";
    private static final String XATTN = "up_blocks.1.attentions.2.transformer_blocks.0.attn2";

    private static LoraLayerWeights layer(String module, int r, int in, int out, long seed) {
        Random rnd = new Random(seed);
        float[] d = new float[r * in];
        float[] u = new float[out * r];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) rnd.nextGaussian();
        }
        return new LoraLayerWeights(module, r, in, out, d, u, Float.NaN);
    }

    private static LoraWeights sample() {
        Map<String, LoraLayerWeights> m = new TreeMap<>();
        int s = 0;
        for (String p : List.of("to_q", "to_k", "to_v", "to_out.0")) {
            m.put(ATTN + "." + p, layer(ATTN + "." + p, 4, 32, 32, s++));
            int in = p.equals("to_k") || p.equals("to_v") ? 24 : 64;
            m.put(XATTN + "." + p, layer(XATTN + "." + p, 4, in, 64, s++));
        }
        return new LoraWeights(m, 0.75, Map.of("base_model", "tiny"));
    }

    @Test
    void bytesRoundTripKeepsEveryWeightScaleAndMetadata() {
        LoraWeights w = sample();
        LoraWeights back = LoraWeights.fromBytes(w.toBytes());
        assertEquals(w.layers(), back.layers());
        assertEquals(0.75, back.scale());
        assertEquals("tiny", back.metadata().get("base_model"));
        assertEquals(8, back.layers().size());
        assertEquals(4, back.rank());
    }

    @Test
    void writesDiffusersKeyNames() throws Exception {
        try (SafeTensors st = SafeTensors.fromBytes(sample().toBytes())) {
            assertTrue(st.contains("unet." + ATTN + ".to_q.lora.down.weight"));
            assertTrue(st.contains("unet." + ATTN + ".to_out.0.lora.up.weight"));
            assertArrayEquals(new long[]{4, 24}, st.entry("unet." + XATTN + ".to_k.lora.down.weight").shape());
            assertArrayEquals(new long[]{64, 4}, st.entry("unet." + XATTN + ".to_k.lora.up.weight").shape());
            assertEquals(16, st.keys().size());
        }
    }

    /** The same weights written under each layout diffusers loads must read back to identical layers. */
    @Test
    void everyReferenceLayoutLoadsToTheSameWeights() throws Exception {
        LoraWeights w = sample();
        List<java.util.function.BiFunction<String, Boolean, String>> layouts = List.of(
                // DragDiffusion's file: doubled prefix, LoRACompatibleLinear names
                (mod, down) -> "unet.unet." + mod + ".lora." + (down ? "down" : "up") + ".weight",
                // old attention-processor layout
                (mod, down) -> {
                    String attn = LoraKeys.attentionOf(mod);
                    String proj = LoraKeys.projection(mod);
                    return "unet." + attn + ".processor." + proj + "_lora." + (down ? "down" : "up") + ".weight";
                },
                // PEFT without and with adapter name
                (mod, down) -> "unet." + mod + ".lora_" + (down ? "A" : "B") + ".weight",
                (mod, down) -> mod + ".lora_" + (down ? "A" : "B") + ".default_0.weight",
                (mod, down) -> "unet." + mod + ".lora_linear_layer." + (down ? "down" : "up") + ".weight");
        for (var layout : layouts) {
            List<HostTensor> ts = new ArrayList<>();
            for (LoraLayerWeights l : w.layers().values()) {
                ts.add(new HostTensor(layout.apply(l.module(), true), new long[]{l.rank(), l.in()}, l.down()));
                ts.add(new HostTensor(layout.apply(l.module(), false), new long[]{l.out(), l.rank()}, l.up()));
            }
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            SafeTensors.write(bos, ts, Map.of(), SafeTensors.DType.F32);
            LoraWeights back = LoraWeights.fromBytes(bos.toByteArray());
            assertEquals(w.layers(), back.layers(), "layout " + ts.get(0).name());
            assertEquals(1.0, back.scale());
        }
    }

    @Test
    void fp16FileWithNetworkAlphaLoads() throws Exception {
        LoraLayerWeights l = layer(ATTN + ".to_out.0", 4, 32, 32, 9);
        List<HostTensor> ts = List.of(
                new HostTensor("unet." + ATTN + ".to_out_lora.down.weight", new long[]{4, 32}, l.down()),
                new HostTensor("unet." + ATTN + ".to_out_lora.up.weight", new long[]{32, 4}, l.up()),
                new HostTensor("unet." + ATTN + ".to_out.0.alpha", new long[0], new float[]{2f}));
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        SafeTensors.write(bos, ts, Map.of(), SafeTensors.DType.F16);
        LoraLayerWeights back = LoraWeights.fromBytes(bos.toByteArray()).layers().get(ATTN + ".to_out.0");
        assertEquals(0.5, back.alphaFactor(), 1e-9);
        for (int i = 0; i < l.down().length; i++) {
            assertEquals(l.down()[i], back.down()[i], Math.abs(l.down()[i]) * 1e-3 + 1e-4);
        }
        // alpha survives our own round trip
        LoraWeights again = LoraWeights.fromBytes(LoraWeights.fromBytes(bos.toByteArray()).toBytes());
        assertEquals(2f, again.layers().get(ATTN + ".to_out.0").alpha());
    }

    @Test
    void rejectsUnsupportedAndIncompleteFiles() throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> LoraKeys.parse("text_encoder.text_model.x.lora.down.weight"));
        assertTrue(e.getMessage().contains("text encoder"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LoraKeys.parse("lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight"));
        assertTrue(e.getMessage().contains("kohya"), e.getMessage());
        // a module that is not an attention projection
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        SafeTensors.write(bos, List.of(new HostTensor("unet.down_blocks.0.resnets.0.conv1.lora.down.weight",
                new long[]{1, 2}, new float[2])), Map.of(), SafeTensors.DType.F32);
        e = assertThrows(IllegalArgumentException.class, () -> LoraWeights.fromBytes(bos.toByteArray()));
        assertTrue(e.getMessage().contains("not an attention projection"), e.getMessage());
        // down without up
        ByteArrayOutputStream b2 = new ByteArrayOutputStream();
        SafeTensors.write(b2, List.of(new HostTensor("unet." + ATTN + ".to_q.lora.down.weight", new long[]{1, 2},
                new float[2])), Map.of(), SafeTensors.DType.F32);
        e = assertThrows(IllegalArgumentException.class, () -> LoraWeights.fromBytes(b2.toByteArray()));
        assertTrue(e.getMessage().contains("no up matrix"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LoraWeights.fromBytes(new byte[]{1, 2, 3}));
    }

    @Test
    void fileRoundTrip(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sub/pytorch_lora_weights.safetensors");
        sample().write(f);
        assertTrue(Files.size(f) > 0);
        assertEquals(sample().layers(), LoraWeights.read(f).layers());
    }

    @Test
    void cacheKeyChangesWithEveryInput() {
        LoraOptions o = LoraOptions.defaults();
        LoraCacheKey k = LoraCacheKey.of("sd15", "abc", "a cat", o, 512, 512);
        assertEquals(k, LoraCacheKey.of("sd15", "abc", "a cat", o, 512, 512));
        assertEquals(64, k.value().length());
        assertNotEquals(k, LoraCacheKey.of("sd15x", "abc", "a cat", o, 512, 512));
        assertNotEquals(k, LoraCacheKey.of("sd15", "abd", "a cat", o, 512, 512));
        assertNotEquals(k, LoraCacheKey.of("sd15", "abc", "a cat ", o, 512, 512));
        assertNotEquals(k, LoraCacheKey.of("sd15", "abc", "a cat", o.withRank(8), 512, 512));
        assertNotEquals(k, LoraCacheKey.of("sd15", "abc", "a cat", o.withSeed(1), 512, 512));
        assertNotEquals(k, LoraCacheKey.of("sd15", "abc", "a cat", o, 512, 576));
        // length prefixes: moving a character between fields changes the key
        assertNotEquals(LoraCacheKey.of("ab", "c", "", o, 8, 8), LoraCacheKey.of("a", "bc", "", o, 8, 8));
    }
}
