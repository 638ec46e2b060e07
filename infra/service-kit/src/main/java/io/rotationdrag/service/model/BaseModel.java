package io.rotationdrag.service.model;

import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.EngineOptions;
import io.rotationdrag.diffusion.ModelGeometry;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.edit.DragEditor;
import io.rotationdrag.service.config.RdConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The base model a worker process keeps warm: loaded once (first {@link #get()}), shared by every job the
 * process runs. Which model: {@code rd.model.path} (RD_MODEL_PATH) when set, else {@code rd.model-dir}
 * (RD_MODEL_DIR), which must be a diffusers folder; otherwise the embedded default model when it is on the class
 * path (the same order as worker-eval). Neither is an error naming both options:
 * there is no silent fallback to some other model.
 */
@ApplicationScoped
public class BaseModel {
    private static final Logger LOG = LoggerFactory.getLogger(BaseModel.class);

    @Inject
    RdConfig config;

    private StableDiffusion model;
    private DragEditor editor;
    private String id;

    /** The folder to load, decided from the configuration (no loading). */
    public static Path resolveFolder(String configuredDir) {
        if (configuredDir != null && !configuredDir.isBlank()) {
            Path p = Path.of(configuredDir.trim());
            if (!Files.isDirectory(p)) {
                throw new IllegalStateException("the model folder (RD_MODEL_PATH / RD_MODEL_DIR) " + p + " is not a directory");
            }
            for (String sub : List.of("unet", "vae", "scheduler")) {
                if (!Files.isDirectory(p.resolve(sub))) {
                    throw new IllegalStateException("the model folder (RD_MODEL_PATH / RD_MODEL_DIR) " + p + " has no " + sub
                            + "/: a diffusers model folder is expected");
                }
            }
            return p;
        }
        if (EmbeddedModel.isAvailable()) {
            return EmbeddedModel.locate();
        }
        throw new IllegalStateException("no base model: set RD_MODEL_PATH (rd.model.path) or RD_MODEL_DIR to a diffusers model folder, "
                + "or run with the embedded default model " + EmbeddedModel.NAME + " on the class path");
    }

    /** The folder the configuration names: rd.model.path, else rd.model-dir, else the embedded model. */
    public static Path configuredFolder(RdConfig config) {
        String path = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("rd.model.path", String.class).filter(v -> !v.isBlank())
                .orElse(config.modelDir().orElse(null));
        return resolveFolder(path);
    }

    /**
     * The configured model's sizes, read from its config files only (no weights): the gateway validates requests
     * with the same working-size rules as the workers that load the model.
     */
    public static ModelGeometry configuredGeometry(RdConfig config) {
        Path folder = configuredFolder(config);
        try {
            ModelGeometry g = ModelGeometry.read(folder);
            LOG.info("model geometry of {}: working sizes in multiples of {}, native size {}", folder,
                    g.sizeMultiple(), g.nativeImageSize());
            return g;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the model configs in " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The warm model; loads it on first use (the caller's thread waits). */
    public synchronized StableDiffusion get() {
        if (model == null) {
            Path folder = configuredFolder(config);
            long t0 = System.nanoTime();
            try {
                id = fingerprint(folder);
                model = StableDiffusion.load(folder, EngineOptions.cpu());
            } catch (IOException e) {
                throw new IllegalStateException("cannot load base model from " + folder + ": " + e.getMessage(), e);
            }
            LOG.info("base model {} loaded from {} in {} ms", id, folder, (System.nanoTime() - t0) / 1_000_000);
        }
        return model;
    }

    /**
     * The edit engine over the warm model, made once and shared by the process's stage engines (it does not own the
     * model; {@link #close()} closes the model). Callers serialise their calls: one UNet, one LoRA at a time.
     */
    public synchronized DragEditor editor() {
        if (editor == null) {
            editor = new DragEditor(get());
        }
        return editor;
    }

    /** Stable id of the loaded model (folder name + content fingerprint), part of the LoRA cache key. */
    public synchronized String id() {
        get();
        return id;
    }

    public synchronized boolean isLoaded() {
        return model != null;
    }

    /**
     * folder name + SHA-256 over every file's relative path and size, the full text of its JSON/TXT files and the
     * first and last MiB of each weight file: two different weight sets (even of equal shapes) get different ids
     * without hashing gigabytes at start-up.
     */
    public static String fingerprint(Path folder) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(folder)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String rel = folder.relativize(f).toString().replace('\\', '/');
            long size = Files.size(f);
            md.update((rel + "\n" + size + "\n").getBytes(StandardCharsets.UTF_8));
            if (rel.endsWith(".json") || rel.endsWith(".txt")) {
                md.update(Files.readAllBytes(f));
            } else {
                int chunk = (int) Math.min(size, 1 << 20);
                byte[] b = new byte[chunk];
                try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
                    raf.readFully(b);
                    md.update(b);
                    if (size > chunk) {
                        raf.seek(size - chunk);
                        raf.readFully(b);
                        md.update(b);
                    }
                }
            }
        }
        String name = folder.getFileName() == null ? "model" : folder.getFileName().toString();
        return name + "@" + HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    @PreDestroy
    synchronized void close() {
        editor = null;
        if (model != null) {
            model.close();
            model = null;
        }
    }
}
