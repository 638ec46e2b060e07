package io.rotationdrag.diffusion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The default model the project trains itself ({@code rd-synth-v1}: a small SD-1.5-shaped UNet, VAE and CLIP
 * text encoder trained on the synthetic rotation scenes), shipped as class-path resources under
 * {@code models/rd-synth-v1/} in the diffusers folder layout. {@link #locate()} returns a folder the engine's
 * loader reads like any SD 1.5 folder: the resource folder itself when it lies on the file system, otherwise
 * (inside a jar) a copy extracted once into a cache folder and checked against the manifest's SHA-256 sums.
 */
public final class EmbeddedModel {

    public static final String NAME = "rd-synth-v1";
    public static final String RESOURCE_DIR = "models/" + NAME;
    /** Lines "sha256 size relative/path" for every file of the model (written by {@link #writeManifest}). */
    public static final String MANIFEST = "MANIFEST.txt";

    /** One file of the model. */
    public record Entry(String sha256, long size, String path) {
    }

    private EmbeddedModel() {
    }

    /** The model folder, from this class's class loader, extracting into {@code <tmpdir>/rotationdrag-models}. */
    public static Path locate() {
        return locate(EmbeddedModel.class.getClassLoader(),
                Path.of(System.getProperty("java.io.tmpdir"), "rotationdrag-models"));
    }

    /** Whether the embedded model is on the class path. */
    public static boolean isAvailable() {
        return EmbeddedModel.class.getClassLoader().getResource(RESOURCE_DIR + "/" + MANIFEST) != null;
    }

    public static Path locate(ClassLoader loader, Path cacheRoot) {
        URL manifestUrl = loader.getResource(RESOURCE_DIR + "/" + MANIFEST);
        if (manifestUrl == null) {
            throw new IllegalStateException("embedded model " + NAME + " is not on the class path (no "
                    + RESOURCE_DIR + "/" + MANIFEST + "); train it with io.rotationdrag.train.TrainEmbeddedModel "
                    + "or configure a diffusers model folder");
        }
        try {
            if ("file".equals(manifestUrl.getProtocol())) {
                return Path.of(manifestUrl.toURI()).getParent();
            }
            byte[] manifest;
            try (InputStream in = manifestUrl.openStream()) {
                manifest = in.readAllBytes();
            }
            List<Entry> entries = parseManifest(new String(manifest, StandardCharsets.UTF_8));
            Path dir = cacheRoot.resolve(NAME + "-" + sha256(manifest).substring(0, 16));
            if (Files.isRegularFile(dir.resolve(MANIFEST)) && verify(dir, entries).isEmpty()) {
                return dir;
            }
            Path tmp = Files.createDirectories(cacheRoot).resolve(dir.getFileName() + ".tmp" + ProcessHandle.current().pid());
            for (Entry e : entries) {
                Path target = tmp.resolve(e.path());
                Files.createDirectories(target.getParent());
                try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + "/" + e.path())) {
                    if (in == null) {
                        throw new IllegalStateException("embedded model file missing from the class path: " + e.path());
                    }
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.write(tmp.resolve(MANIFEST), manifest);
            List<String> bad = verify(tmp, entries);
            if (!bad.isEmpty()) {
                throw new IllegalStateException("embedded model files do not match their manifest: " + bad);
            }
            if (Files.exists(dir)) {
                deleteTree(dir);
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!(Files.isRegularFile(dir.resolve(MANIFEST)) && verify(dir, entries).isEmpty())) {
                    throw raced;
                }
                deleteTree(tmp);                 // another process extracted the same model first
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract embedded model " + NAME + " to " + cacheRoot, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad resource URL " + manifestUrl, e);
        }
    }

    /** Writes {@link #MANIFEST} for every regular file under {@code modelDir} (except the manifest itself). */
    public static List<Entry> writeManifest(Path modelDir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> s = Files.walk(modelDir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                String rel = modelDir.relativize(p).toString().replace('\\', '/');
                if (rel.equals(MANIFEST)) {
                    continue;
                }
                entries.add(new Entry(sha256(Files.readAllBytes(p)), Files.size(p), rel));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append(e.sha256()).append(' ').append(e.size()).append(' ').append(e.path()).append('\n');
        }
        Files.writeString(modelDir.resolve(MANIFEST), sb);
        return entries;
    }

    static List<Entry> parseManifest(String text) {
        List<Entry> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ", 3);
            if (f.length != 3 || f[2].contains("..") || f[2].startsWith("/")) {
                throw new IllegalStateException("bad manifest line: " + line);
            }
            out.add(new Entry(f[0], Long.parseLong(f[1]), f[2]));
        }
        return out;
    }

    /** The files that are missing or differ (size or SHA-256) from the manifest. */
    static List<String> verify(Path dir, List<Entry> entries) throws IOException {
        List<String> bad = new ArrayList<>();
        for (Entry e : entries) {
            Path p = dir.resolve(e.path());
            if (!Files.isRegularFile(p) || Files.size(p) != e.size() || !sha256(Files.readAllBytes(p)).equals(e.sha256())) {
                bad.add(e.path());
            }
        }
        return bad;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
