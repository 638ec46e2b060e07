package io.rotationdrag.diffusion.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

class SafeTensorsTest {

    @TempDir
    Path dir;

    private static HostTensor t(String name, long[] shape, long seed) {
        int n = (int) HostTensor.numel(shape);
        float[] d = new float[n];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return new HostTensor(name, shape, d);
    }

    @Test
    void roundTripF32WithMetadata() throws IOException {
        List<HostTensor> ts = List.of(t("a.weight", new long[]{3, 5}, 1), t("b", new long[]{7}, 2),
                t("scalar", new long[]{}, 3), t("conv.weight", new long[]{2, 3, 3, 3}, 4));
        Path f = dir.resolve("x.safetensors");
        SafeTensors.write(f, ts, Map.of("format", "pt", "note", "hello"));
        // header layout: u64 length, then JSON padded to 8 bytes
        byte[] bytes = Files.readAllBytes(f);
        long hl = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, hl % 8);
        assertTrue(new String(bytes, 8, (int) hl, StandardCharsets.UTF_8).contains("\"__metadata__\""));
        try (SafeTensors st = SafeTensors.open(f)) {
            assertEquals(List.of("a.weight", "b", "scalar", "conv.weight"), List.copyOf(st.keys()));
            assertEquals("hello", st.metadata().get("note"));
            for (HostTensor h : ts) {
                assertEquals(h, st.read(h.name()));
            }
        }
        try (SafeTensors st = SafeTensors.fromBytes(SafeTensors.toBytes(ts, Map.of()))) {
            assertEquals(ts, st.readAll());
            assertTrue(st.metadata().isEmpty());
        }
    }

    @Test
    void halfAndBfloatAreWidened() throws IOException {
        float[] vals = {0f, -0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f, 0.1f, 1234.5f};
        HostTensor h = new HostTensor("h", new long[]{vals.length}, vals);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        SafeTensors.write(bos, List.of(h), null, SafeTensors.DType.F16);
        try (SafeTensors st = SafeTensors.fromBytes(bos.toByteArray())) {
            assertEquals(SafeTensors.DType.F16, st.entry("h").dtype());
            float[] got = st.readFloats("h");
            for (int i = 0; i < vals.length; i++) {
                // binary16 has an 11-bit significand: relative error <= 2^-11 for normal values
                assertEquals(vals[i], got[i], Math.max(Math.abs(vals[i]) * 4.9e-4, 3e-8), "index " + i);
            }
            assertEquals(1f, got[2]);
            assertEquals(65504f, got[4]); // largest half
            assertEquals(5.9604645e-8f, got[6]); // smallest subnormal half
        }
        bos.reset();
        SafeTensors.write(bos, List.of(h), null, SafeTensors.DType.BF16);
        try (SafeTensors st = SafeTensors.fromBytes(bos.toByteArray())) {
            float[] got = st.readFloats("h");
            for (int i = 0; i < vals.length; i++) {
                assertEquals(vals[i], got[i], Math.abs(vals[i]) * 7.9e-3 + 1e-30, "index " + i); // 8-bit significand
            }
            assertEquals(-2.5f, got[3]);
        }
        // half bit patterns checked against IEEE 754 directly
        assertEquals(1f, SafeTensors.halfToFloat((short) 0x3c00));
        assertEquals(-2f, SafeTensors.halfToFloat((short) 0xc000));
        assertEquals(Float.POSITIVE_INFINITY, SafeTensors.halfToFloat((short) 0x7c00));
        assertEquals((short) 0x3555, SafeTensors.floatToHalf(1f / 3f));
    }

    @Test
    void readsI64HandWrittenFile() throws IOException {
        // a file written by hand, the way transformers stores position_ids (I64 [1,4])
        String header = "{\"position_ids\":{\"dtype\":\"I64\",\"shape\":[1,4],\"data_offsets\":[0,32]},"
                + "\"w\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[32,40]}}";
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + hb.length + 40).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(hb.length).put(hb);
        for (long v = 0; v < 4; v++) {
            b.putLong(v + 10);
        }
        b.putInt(-3).putInt(7);
        try (SafeTensors st = SafeTensors.fromBytes(b.array())) {
            assertArrayEquals(new long[]{10, 11, 12, 13}, st.readLongs("position_ids"));
            assertArrayEquals(new float[]{-3f, 7f}, st.readFloats("w"));
            assertThrows(IllegalArgumentException.class, () -> st.readLongs("nope"));
        }
    }

    @Test
    void corruptHeaderIsRejected() {
        byte[] bad = new byte[16];
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.fromBytes(bad));
        assertTrue(e.getMessage().contains("header length"));
    }

    @Test
    void loaderChecksShapesAndNames() throws IOException {
        List<HostTensor> ts = List.of(t("x.weight", new long[]{4, 3}, 5), t("x.bias", new long[]{4}, 6),
                t("attn.query.weight", new long[]{4, 4, 1, 1}, 7));
        Path f = dir.resolve("w.safetensors");
        SafeTensors.write(f, ts, null);
        try (NDManager m = NDManager.newBaseManager(); SafeTensors st = SafeTensors.open(f)) {
            Map<String, long[]> exp = new LinkedHashMap<>();
            exp.put("x.weight", new long[]{4, 3});
            exp.put("x.bias", new long[]{4});
            exp.put("attn.to_q.weight", new long[]{4, 4});
            Function<String, String> alias = k -> k + "|" + k.replace("to_q", "query"); // modern name first
            Map<String, NDArray> got = WeightLoader.load(st, m, exp, alias, Set.of(), DataType.FLOAT32);
            assertArrayEquals(ts.get(0).data(), got.get("x.weight").toFloatArray());
            assertArrayEquals(ts.get(2).data(), got.get("attn.to_q.weight").toFloatArray());
            assertEquals(2, got.get("attn.to_q.weight").getShape().dimension());

            Map<String, long[]> wrong = new LinkedHashMap<>(exp);
            wrong.put("x.weight", new long[]{3, 4});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WeightLoader.load(st, m, wrong, alias, Set.of(), DataType.FLOAT32));
            assertTrue(e.getMessage().contains("x.weight") && e.getMessage().contains("[4, 3]")
                    && e.getMessage().contains("[3, 4]"), e.getMessage());

            Map<String, long[]> more = new LinkedHashMap<>(exp);
            more.put("y.weight", new long[]{2});
            e = assertThrows(IllegalArgumentException.class,
                    () -> WeightLoader.load(st, m, more, alias, Set.of(), DataType.FLOAT32));
            assertTrue(e.getMessage().contains("y.weight") && e.getMessage().contains("missing"), e.getMessage());

            Map<String, long[]> fewer = new LinkedHashMap<>(exp);
            fewer.remove("x.bias");
            e = assertThrows(IllegalArgumentException.class,
                    () -> WeightLoader.load(st, m, fewer, alias, Set.of(), DataType.FLOAT32));
            assertTrue(e.getMessage().contains("x.bias"), e.getMessage());
            assertEquals(2, WeightLoader.load(st, m, fewer, alias, Set.of("x.bias"), DataType.FLOAT32).size());
        }
    }

    @Test
    void readsConfigsWithDefaults() throws IOException {
        Path shared = Path.of(System.getProperty("rotationdrag.shared.dir", "../../shared"));
        UNetConfig u = UNetConfig.read(shared.resolve("golden/tiny-sd-a/unet/config.json"));
        assertArrayEquals(new int[]{32, 64, 64, 64}, u.blockOutChannels());
        assertArrayEquals(new int[]{8, 8, 8, 8}, u.attentionHeads());
        assertEquals(32, u.crossAttentionDim());
        assertEquals(128, u.timeEmbedDim());
        assertFalse(u.useLinearProjection());
        VaeConfig v = VaeConfig.read(shared.resolve("golden/tiny-sd-a/vae/config.json"));
        assertEquals(0.18215, v.scalingFactor());
        assertEquals(4, v.latentChannels());
        UNetConfig sd = UNetConfig.sd15();
        assertEquals(768, sd.crossAttentionDim());
        assertEquals(sd.toJson(), UNetConfig.fromJson(sd.toJson()).toJson());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UNetConfig.fromJson(sd.toJson().put("class_embed_type", "timestep")));
        assertTrue(e.getMessage().contains("class_embed_type"));
    }
}
