package io.rotationdrag.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The subset of Kustomize that infra/k8s uses, so the manifests render without a kustomize binary:
 * {@code resources} (files and directories holding a kustomization.yaml), {@code patches} with {@code path}
 * (strategic-merge patches matched by kind + metadata.name; maps merge, lists of named maps merge by name, other
 * lists are replaced) and {@code images} (name -> newName/newTag). Anything else in a kustomization is refused,
 * so a manifest change that needs more cannot pass unnoticed. {@link ManifestTest} checks the output against
 * {@code kubectl kustomize} where that binary exists.
 */
final class MiniKustomize {
    static final ObjectMapper YAML = new YAMLMapper();
    private static final List<String> SUPPORTED = List.of("apiVersion", "kind", "resources", "patches", "images");

    private MiniKustomize() {
    }

    static List<ObjectNode> render(Path dir) {
        Path k = dir.resolve("kustomization.yaml");
        JsonNode kz = readAll(k).get(0);
        for (Iterator<String> it = kz.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!SUPPORTED.contains(f)) {
                throw new IllegalArgumentException(k + ": field '" + f + "' is outside MiniKustomize's subset");
            }
        }
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : kz.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(render(p));
            } else {
                readAll(p).forEach(n -> out.add((ObjectNode) n));
            }
        }
        for (JsonNode patch : kz.path("patches")) {
            if (!patch.has("path") || patch.size() != 1) {
                throw new IllegalArgumentException(k + ": only 'patches: - path: <file>' is supported");
            }
            for (JsonNode p : readAll(dir.resolve(patch.get("path").asText()))) {
                ObjectNode target = out.stream().filter(o -> sameObject(o, p)).findFirst().orElseThrow(() ->
                        new IllegalArgumentException("patch target " + p.path("kind").asText() + "/"
                                + p.path("metadata").path("name").asText() + " not in the resources of " + dir));
                merge(target, (ObjectNode) p);
            }
        }
        for (JsonNode img : kz.path("images")) {
            out.forEach(o -> retag(o, img));
        }
        return out;
    }

    private static boolean sameObject(JsonNode a, JsonNode b) {
        return a.path("kind").asText().equals(b.path("kind").asText())
                && a.path("metadata").path("name").asText().equals(b.path("metadata").path("name").asText());
    }

    /** Strategic merge, the part used here: maps recursively, named lists by name, other values replaced. */
    static void merge(ObjectNode target, ObjectNode patch) {
        for (Iterator<String> it = patch.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            JsonNode pv = patch.get(f);
            JsonNode tv = target.get(f);
            if (pv.isObject() && tv != null && tv.isObject()) {
                merge((ObjectNode) tv, (ObjectNode) pv);
            } else if (pv.isArray() && tv != null && tv.isArray() && isNamedList(pv) && isNamedList(tv)) {
                for (JsonNode pe : pv) {
                    ObjectNode te = null;
                    for (JsonNode e : tv) {
                        if (e.get("name").asText().equals(pe.get("name").asText())) {
                            te = (ObjectNode) e;
                        }
                    }
                    if (te == null) {
                        ((ArrayNode) tv).add(pe.deepCopy());
                    } else {
                        merge(te, (ObjectNode) pe);
                    }
                }
            } else {
                target.set(f, pv.deepCopy());
            }
        }
    }

    private static boolean isNamedList(JsonNode list) {
        for (JsonNode e : list) {
            if (!e.isObject() || !e.has("name")) {
                return false;
            }
        }
        return true;
    }

    private static void retag(JsonNode node, JsonNode img) {
        if (node.isObject()) {
            JsonNode image = node.get("image");
            if (image != null && image.isTextual() && node.has("name")) {
                String ref = image.asText();
                int colon = ref.lastIndexOf(':');
                String name = colon > ref.lastIndexOf('/') ? ref.substring(0, colon) : ref;
                String tag = colon > ref.lastIndexOf('/') ? ref.substring(colon + 1) : null;
                if (name.equals(img.get("name").asText())) {
                    String newName = img.has("newName") ? img.get("newName").asText() : name;
                    String newTag = img.has("newTag") ? img.get("newTag").asText() : tag;
                    ((ObjectNode) node).put("image", newTag == null ? newName : newName + ":" + newTag);
                }
            }
            node.forEach(c -> retag(c, img));
        } else if (node.isArray()) {
            node.forEach(c -> retag(c, img));
        }
    }

    static List<JsonNode> readAll(Path file) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            var parser = new YAMLFactory().createParser(file.toFile());
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode() && n.size() > 0) {
                    docs.add(n);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    static List<JsonNode> parseStream(String yaml) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            var it = YAML.readValues(new YAMLFactory().createParser(yaml), JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && n.size() > 0) {
                    docs.add(n);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
