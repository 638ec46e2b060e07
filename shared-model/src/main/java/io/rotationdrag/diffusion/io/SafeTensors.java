package io.rotationdrag.diffusion.io;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reader and writer of the safetensors format: a little-endian u64 header length n, n bytes of JSON
 * ({@code name -> {dtype, shape, data_offsets:[begin,end)}} plus an optional {@code __metadata__} string map),
 * then the raw little-endian row-major data.
 *
 * <p>The reader maps each tensor's byte range on demand ({@link FileChannel#map}), so files above 2 GB (the fp32
 * SD 1.5 UNet is 3.4 GB) work and nothing is read twice. F16 and BF16 are widened to float32 in Java, because
 * handing a BF16 buffer to DJL aborts the JVM. I64/I32/I16/I8/U8/BOOL are readable as longs (or as floats).
 */
public final class SafeTensors implements AutoCloseable {

    /** Element types of the format; {@code bytes} is the element width. */
    public enum DType {
        F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

        public final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        boolean isFloat() {
            return this == F64 || this == F32 || this == F16 || this == BF16;
        }
    }

    /** One header entry: offsets are relative to the first data byte. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        public long numel() {
            return HostTensor.numel(shape);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private final String source;
    private final FileChannel channel;     // null when reading from memory
    private final ByteBuffer memory;       // null when reading from a file
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(String source, FileChannel channel, ByteBuffer memory, long fileSize) throws IOException {
        this.source = source;
        this.channel = channel;
        this.memory = memory;
        ByteBuffer lenBuf = slice(0, 8);
        if (fileSize < 8) {
            throw new IOException(source + ": not a safetensors file (" + fileSize + " bytes)");
        }
        long headerLen = lenBuf.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > fileSize) {
            throw new IOException(source + ": bad safetensors header length " + headerLen + " (file " + fileSize + " bytes)");
        }
        byte[] header = new byte[(int) headerLen];
        slice(8, (int) headerLen).get(header);
        this.dataStart = 8 + headerLen;
        JsonNode root = JSON.readTree(new String(header, StandardCharsets.UTF_8).trim());
        if (root == null || !root.isObject()) {
            throw new IOException(source + ": safetensors header is not a JSON object");
        }
        Map<String, Entry> map = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        long dataLen = fileSize - dataStart;
        var fields = root.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            if (f.getKey().equals("__metadata__")) {
                f.getValue().fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            JsonNode e = f.getValue();
            DType dt;
            try {
                dt = DType.valueOf(e.path("dtype").asText());
            } catch (IllegalArgumentException ex) {
                throw new IOException(source + ": tensor '" + f.getKey() + "' has unsupported dtype " + e.path("dtype"));
            }
            JsonNode sh = e.path("shape");
            long[] shape = new long[sh.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = sh.get(i).asLong();
            }
            long b = e.path("data_offsets").path(0).asLong(-1);
            long en = e.path("data_offsets").path(1).asLong(-1);
            Entry entry = new Entry(f.getKey(), dt, shape, b, en);
            if (b < 0 || en < b || en > dataLen || (en - b) != entry.numel() * dt.bytes) {
                throw new IOException(source + ": tensor '" + f.getKey() + "' has inconsistent offsets [" + b + ", " + en
                        + ") for " + dt + " " + Arrays.toString(shape) + " (data section " + dataLen + " bytes)");
            }
            map.put(f.getKey(), entry);
        }
        this.entries = Collections.unmodifiableMap(map);
        this.metadata = Collections.unmodifiableMap(meta);
    }

    /** Opens a file for memory-mapped reading. Close it when done. */
    public static SafeTensors open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new SafeTensors(file.toString(), ch, null, ch.size());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Reads safetensors bytes held in memory (e.g. an artefact fetched from the object store). */
    public static SafeTensors fromBytes(byte[] bytes) throws IOException {
        return new SafeTensors("<bytes>", null, ByteBuffer.wrap(bytes), bytes.length);
    }

    public String source() {
        return source;
    }

    public Set<String> keys() {
        return entries.keySet();
    }

    public boolean contains(String key) {
        return entries.containsKey(key);
    }

    public Entry entry(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            throw new IllegalArgumentException(source + ": no tensor '" + key + "'");
        }
        return e;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Reads a tensor as float32, widening F16/BF16/F64/integers. */
    public float[] readFloats(String key) throws IOException {
        Entry e = entry(key);
        int n = Math.toIntExact(e.numel());
        float[] out = new float[n];
        ByteBuffer b = slice(dataStart + e.begin, Math.toIntExact(e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
        switch (e.dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            default -> {
                long[] l = toLongs(e, b, n);
                for (int i = 0; i < n; i++) {
                    out[i] = l[i];
                }
            }
        }
        return out;
    }

    /** Reads an integer tensor (I64, I32, I16, I8, U8, BOOL) as longs. */
    public long[] readLongs(String key) throws IOException {
        Entry e = entry(key);
        if (e.dtype.isFloat()) {
            throw new IllegalArgumentException(source + ": tensor '" + key + "' is " + e.dtype + ", not an integer type");
        }
        int n = Math.toIntExact(e.numel());
        ByteBuffer b = slice(dataStart + e.begin, Math.toIntExact(e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
        return toLongs(e, b, n);
    }

    /** Reads a tensor as a {@link HostTensor} (float32). */
    public HostTensor read(String key) throws IOException {
        return new HostTensor(key, entry(key).shape.clone(), readFloats(key));
    }

    /** Reads every tensor (in header order) as float32. */
    public List<HostTensor> readAll() throws IOException {
        List<HostTensor> out = new ArrayList<>();
        for (String k : entries.keySet()) {
            out.add(read(k));
        }
        return out;
    }

    private static long[] toLongs(Entry e, ByteBuffer b, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (e.dtype) {
                case I64 -> b.getLong(8 * i);
                case I32 -> b.getInt(4 * i);
                case I16 -> b.getShort(2 * i);
                case I8 -> b.get(i);
                case U8, BOOL -> b.get(i) & 0xff;
                default -> throw new IllegalStateException(e.dtype.toString());
            };
        }
        return out;
    }

    private ByteBuffer slice(long offset, int length) throws IOException {
        if (memory != null) {
            return memory.slice(Math.toIntExact(offset), length);
        }
        // one mapping per tensor: each tensor is < 2 GB even when the file is larger
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
    }

    /** IEEE 754 binary16 to float32 (Java 17 has no Float.float16ToFloat). */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** float32 to IEEE binary16 with round-to-nearest-even (for writing fp16 test files). */
    public static short floatToHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (((bits >>> 23) & 0xff) == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        if (exp >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - exp;
            int half = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (exp << 10) | (mant >> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++;
        }
        return (short) (sign | half);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    // ------------------------------------------------------------------ writer

    /** Writes float32 tensors in the given order with an optional string metadata map. */
    public static void write(Path file, Collection<HostTensor> tensors, Map<String, String> metadata) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream os = Files.newOutputStream(file)) {
            write(os, tensors, metadata, DType.F32);
        }
    }

    /** Serialises float32 tensors to bytes (artefacts stored in the object store). */
    public static byte[] toBytes(Collection<HostTensor> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try {
            write(bos, tensors, metadata, DType.F32);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bos.toByteArray();
    }

    /** Writes tensors as F32, F16 or BF16 (the latter two to exercise the reader's widening). */
    public static void write(OutputStream os, Collection<HostTensor> tensors, Map<String, String> metadata, DType dtype)
            throws IOException {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("writer supports F32, F16, BF16, not " + dtype);
        }
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long off = 0;
        for (HostTensor t : tensors) {
            if (root.has(t.name())) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
            ObjectNode e = root.putObject(t.name());
            e.put("dtype", dtype.name());
            var sh = e.putArray("shape");
            for (long d : t.shape()) {
                sh.add(d);
            }
            long len = t.numel() * dtype.bytes;
            e.putArray("data_offsets").add(off).add(off + len);
            off += len;
        }
        byte[] header = JSON.writeValueAsBytes(root);
        int padded = (header.length + 7) / 8 * 8; // keep the data section 8-byte aligned
        byte[] h = Arrays.copyOf(header, padded);
        Arrays.fill(h, header.length, padded, (byte) ' ');
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        os.write(len.array());
        os.write(h);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (HostTensor t : tensors) {
            for (float v : t.data()) {
                if (buf.remaining() < 4) {
                    os.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                switch (dtype) {
                    case F32 -> buf.putFloat(v);
                    case F16 -> buf.putShort(floatToHalf(v));
                    default -> buf.putShort((short) (Float.floatToIntBits(v) >>> 16)); // BF16 by truncation
                }
            }
        }
        os.write(buf.array(), 0, buf.position());
    }

    /** Parses a metadata JSON value written by {@link #toBytes} callers as a map (helper for artefacts). */
    public static Map<String, Object> parseJson(String json) throws IOException {
        return JSON.readValue(json, new TypeReference<>() { });
    }
}
