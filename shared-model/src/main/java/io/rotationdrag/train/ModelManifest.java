package io.rotationdrag.train;

import io.rotationdrag.diffusion.EmbeddedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Command line: {@code ModelManifest <modelDir>}. (Re)writes the SHA-256 {@code MANIFEST.txt} of a model folder
 * that {@link EmbeddedModel} checks on extraction, e.g. after a provenance note was added, and prints the total size.
 */
public final class ModelManifest {

    private ModelManifest() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ModelManifest <modelDir>");
            System.exit(2);
        }
        List<EmbeddedModel.Entry> entries = EmbeddedModel.writeManifest(Path.of(args[0]));
        long bytes = entries.stream().mapToLong(EmbeddedModel.Entry::size).sum();
        for (EmbeddedModel.Entry e : entries) {
            System.out.printf("%10d  %s%n", e.size(), e.path());
        }
        System.out.printf("%d files, %d bytes (%.1f MiB)%n", entries.size(), bytes, bytes / 1048576.0);
    }
}
