package io.rotationdrag.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.diffusion.io.ConfigJson;
import io.rotationdrag.diffusion.nn.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes one diffusers component folder ({@code config.json} + weights) atomically: files are written beside
 * the target and moved over it, so a run killed mid-write still leaves the previous checkpoint intact.
 */
public final class Checkpoints {

    private Checkpoints() {
    }

    public static void save(Path componentDir, ObjectNode config, ParameterStore params, String weightsFile)
            throws IOException {
        Files.createDirectories(componentDir);
        Path tmpW = componentDir.resolve(weightsFile + ".tmp");
        params.save(tmpW);
        Path tmpC = componentDir.resolve("config.json.tmp");
        ConfigJson.mapper().writerWithDefaultPrettyPrinter().writeValue(tmpC.toFile(), config);
        Files.move(tmpW, componentDir.resolve(weightsFile), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmpC, componentDir.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    public static void writeJson(Path file, ObjectNode json) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ConfigJson.mapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), json);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
