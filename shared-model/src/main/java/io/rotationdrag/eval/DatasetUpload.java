package io.rotationdrag.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Plans the import of a local DragBench-format folder into the object store's datasets bucket: the folder is read
 * (and so validated) with {@link DragBenchReader} first, then every file of every sample folder is mapped to the
 * key {@code <dataset>/<category>/<sample>/<file>} (flat datasets: {@code <dataset>/<sample>/<file>}), plus a
 * manifest {@code <dataset>/dataset.json} with the sample ids. Pure: the upload itself is the caller's (the
 * gateway's {@code DatasetImport} command, with the MinIO client).
 */
public final class DatasetUpload {
    public static final String MANIFEST = "dataset.json";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One file to upload. */
    public record FileUpload(String key, Path file) {
    }

    /** What to upload: the sample files and the manifest JSON. */
    public record Plan(String dataset, List<DragBenchSample> samples, List<FileUpload> files, String manifestKey,
                       String manifestJson) {
    }

    private DatasetUpload() {
    }

    public static void checkName(String dataset) {
        if (dataset == null || !NAME.matcher(dataset).matches()) {
            throw new IllegalArgumentException("dataset name must match " + NAME + ": " + dataset);
        }
    }

    public static String prefix(String dataset) {
        checkName(dataset);
        return dataset + "/";
    }

    public static Plan plan(Path root, String dataset) {
        checkName(dataset);
        List<DragBenchSample> samples = DragBenchReader.readDataset(root);
        List<FileUpload> files = new ArrayList<>();
        for (DragBenchSample s : samples) {
            Path dir = DragBenchReader.isSampleFolder(root) ? root
                    : s.category().isEmpty() ? root.resolve(s.name()) : root.resolve(s.category()).resolve(s.name());
            String keyPrefix = prefix(dataset) + s.id() + "/";
            try (Stream<Path> st = Files.list(dir)) {
                for (Path f : st.filter(Files::isRegularFile).sorted().toList()) {
                    files.add(new FileUpload(keyPrefix + f.getFileName(), f));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        ObjectNode m = JSON.createObjectNode();
        m.put("name", dataset);
        m.put("format", "dragbench");
        ArrayNode ids = m.putArray("samples");
        samples.forEach(s -> ids.add(s.id()));
        return new Plan(dataset, samples, files, prefix(dataset) + MANIFEST, m.toString());
    }
}
