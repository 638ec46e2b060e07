package io.rotationdrag.gateway.sweep;

import io.rotationdrag.eval.DatasetUpload;
import io.rotationdrag.eval.DragBenchReader;
import io.rotationdrag.eval.DragBenchSample;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Datasets imported into the object store ({@code rd-datasets/<name>/...}, see {@link DatasetUpload} and the
 * {@link DatasetImport} command): a dataset is read by copying its objects into a temporary folder in the same
 * layout and reading that with {@link DragBenchReader}, so the object store and local folders share one parser.
 */
@ApplicationScoped
public class DatasetStore {
    @Inject
    BlobStore blobs;

    public boolean exists(String dataset) {
        return !blobs.list(ObjectKeys.DATASETS_BUCKET, DatasetUpload.prefix(dataset)).isEmpty();
    }

    /** @throws IllegalArgumentException when the dataset does not exist or is not DragBench format */
    public List<DragBenchSample> read(String dataset) {
        String prefix = DatasetUpload.prefix(dataset);
        List<String> keys = blobs.list(ObjectKeys.DATASETS_BUCKET, prefix);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no dataset '" + dataset + "' in bucket " + ObjectKeys.DATASETS_BUCKET
                    + " (import one with io.rotationdrag.gateway.sweep.DatasetImport)");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("rd-dataset-");
            for (String k : keys) {
                String rel = k.substring(prefix.length());
                if (rel.equals(DatasetUpload.MANIFEST) || rel.contains("..")) {
                    continue;
                }
                Path f = tmp.resolve(rel);
                Files.createDirectories(f.getParent());
                Files.write(f, blobs.get(ObjectKeys.DATASETS_BUCKET, k));
            }
            return DragBenchReader.readDataset(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage dataset " + dataset, e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("dataset '" + dataset + "' cannot be read: " + e.getMessage(), e);
        } finally {
            delete(tmp);
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
