package io.rotationdrag.edit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.EngineOptions;
import io.rotationdrag.lora.LoraOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Command-line drag edit without the UI:
 * <pre>
 *   java -cp shared-model.jar:deps io.rotationdrag.edit.EditCli --image in.png --points "120,80,160,60;200,200,200,200" \
 *        [--model DIR] [--mask mask.png] [--prompt "a cat"] [--method rotationdrag-cached] [--out edited.png]
 *        [--steps 80] [--lora-steps 60] [--inv-steps 50] [--strength 0.75] [--working-size 512] [--seed 42] [--preview-every 0] [--outcome out.drag]
 *        [--device cpu|gpu(0)] [--threads N]
 * </pre>
 * {@code --points}: pairs "hx,hy,tx,ty" separated by ';' (a pair with handle == target is a rotation axis), or JSON:
 * a list of [x, y] points alternating handle and target (DragBench's order), or a list of {hx, hy, tx, ty}. Without
 * {@code --model} the embedded default model is used when it is on the class path. Progress goes to stdout, one line
 * per step. Exit status 0 on success, 2 for bad arguments or input, 1 for other failures.
 */
public final class EditCli {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EditCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> a;
        try {
            a = parseArgs(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        if (a.containsKey("help")) {
            out.println(usage());
            return 0;
        }
        try {
            EditRequest request = request(a);
            Path modelDir = modelDir(a.get("model"));
            Path outPath = Path.of(a.getOrDefault("out", "edited.png"));
            EngineOptions eo = new EngineOptions(a.getOrDefault("device", "cpu"), EngineOptions.Precision.FP32,
                    Integer.parseInt(a.getOrDefault("threads", "0")));
            out.println("model " + modelDir + ", method " + request.options().tracker().id() + ", "
                    + request.points().size() + " point pair(s)");
            try (DragEditor editor = DragEditor.open(modelDir, eo)) {
                EditResult r = editor.edit(request, e -> out.println(progressLine(e)), Cancellation.NONE);
                Path parent = outPath.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                ImageIO.write(r.image(), "png", outPath.toFile());
                if (a.containsKey("outcome")) {
                    Files.write(Path.of(a.get("outcome")), r.outcome().toBytes());
                }
                out.printf(Locale.ROOT, "done: %s (%d drag steps, %s), final handles %s, UNet forwards %d, "
                                + "backwards %d, wall ms %s%n", outPath, r.outcome().steps(), r.outcome().stopReason(),
                        format(r.outcome().finalHandles()), r.unetForwards(), r.unetBackwards(), r.stageWallMs());
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("failed: " + e);
            return 1;
        }
    }

    static String usage() {
        return "usage: EditCli --image IN.png --points \"hx,hy,tx,ty;...\"|JSON [--model DIR] [--mask MASK.png] "
                + "[--prompt TEXT] [--method dragdiffusion|rotationdrag|rotationdrag-cached|freedrag|rotate-pixels|rotate-latent] [--out OUT.png] "
                + "[--steps N] [--lora-steps N] [--inv-steps N] [--strength S] [--working-size N] [--seed N] [--preview-every N] [--outcome FILE] "
                + "[--device cpu|gpu(0)] [--threads N]";
    }

    static Map<String, String> parseArgs(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String k = args[i];
            if (k.equals("--help") || k.equals("-h")) {
                m.put("help", "");
                continue;
            }
            if (!k.startsWith("--") || k.length() < 3) {
                throw new IllegalArgumentException("unexpected argument '" + k + "'");
            }
            String key = k.substring(2);
            int eq = key.indexOf('=');
            if (eq > 0) {
                m.put(key.substring(0, eq), key.substring(eq + 1));
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
            m.put(key, args[++i]);
        }
        return m;
    }

    static Path modelDir(String given) {
        if (given != null) {
            Path p = Path.of(given);
            if (!Files.isDirectory(p)) {
                throw new EditValidationException("model folder not found: " + p);
            }
            return p;
        }
        if (!EmbeddedModel.isAvailable()) {
            throw new EditValidationException("no --model given and the embedded default model ("
                    + EmbeddedModel.NAME + ") is not on the class path; pass --model DIR (a diffusers folder)");
        }
        return EmbeddedModel.locate();
    }

    static EditRequest request(Map<String, String> a) throws IOException {
        String imagePath = a.get("image");
        if (imagePath == null) {
            throw new EditValidationException("--image is required");
        }
        BufferedImage image = readImage(imagePath, "image");
        BufferedImage mask = a.containsKey("mask") ? readImage(a.get("mask"), "mask") : null;
        String pts = a.get("points");
        if (pts == null) {
            throw new EditValidationException("--points is required (\"hx,hy,tx,ty;...\" or JSON)");
        }
        EditOptions o = EditOptions.defaults();
        if (a.containsKey("method")) {
            o = o.withTracker(TrackerKind.fromId(a.get("method")));
        }
        if (a.containsKey("steps")) {
            o = o.withDrag(o.drag().withMaxSteps(intArg(a, "steps")));
        }
        if (a.containsKey("lora-steps")) {
            int s = intArg(a, "lora-steps");
            o = o.withLora(s == 0 ? LoraOptions.disabled() : o.lora().withSteps(s));
        }
        if (a.containsKey("working-size")) {
            o = o.withWorkingSize(intArg(a, "working-size"));
        }
        if (a.containsKey("seed")) {
            o = o.withSeed(Long.parseLong(a.get("seed")));
        }
        if (a.containsKey("inv-steps") || a.containsKey("strength")) {
            int n = a.containsKey("inv-steps") ? intArg(a, "inv-steps") : o.inversion().numInferenceSteps();
            double st = a.containsKey("strength") ? Double.parseDouble(a.get("strength"))
                    : o.inversion().strength();
            o = o.withInversion(new InversionOptions(n, st));
        }
        if (a.containsKey("preview-every")) {
            o = o.withPreviewEvery(intArg(a, "preview-every"));
        }
        return new EditRequest(image, mask, parsePoints(pts), a.getOrDefault("prompt", ""), o);
    }

    private static int intArg(Map<String, String> a, String k) {
        try {
            return Integer.parseInt(a.get(k).trim());
        } catch (NumberFormatException e) {
            throw new EditValidationException("--" + k + " must be an integer, got '" + a.get(k) + "'");
        }
    }

    private static BufferedImage readImage(String path, String what) throws IOException {
        Path p = Path.of(path);
        if (!Files.isRegularFile(p)) {
            throw new EditValidationException(what + " file not found: " + p);
        }
        BufferedImage img = ImageIO.read(p.toFile());
        if (img == null) {
            throw new EditValidationException(what + " file " + p + " is not a readable image");
        }
        return img;
    }

    /** "hx,hy,tx,ty;..." or JSON (list of [x, y] alternating handle/target, or list of {hx, hy, tx, ty}). */
    static List<PointPair> parsePoints(String s) {
        String t = s.trim();
        if (t.startsWith("[")) {
            JsonNode n;
            try {
                n = JSON.readTree(t);
            } catch (IOException e) {
                throw new EditValidationException("--points is not valid JSON: " + e.getMessage());
            }
            if (n.size() > 0 && n.get(0).isObject()) {
                List<PointPair> out = new ArrayList<>();
                for (JsonNode p : n) {
                    for (String f : List.of("hx", "hy", "tx", "ty")) {
                        if (!p.hasNonNull(f) || !p.get(f).isNumber()) {
                            throw new EditValidationException("--points JSON object " + p + " needs numbers hx, hy, "
                                    + "tx, ty");
                        }
                    }
                    out.add(new PointPair(p.get("hx").asDouble(), p.get("hy").asDouble(), p.get("tx").asDouble(),
                            p.get("ty").asDouble()));
                }
                return out;
            }
            List<double[]> pts = new ArrayList<>();
            for (JsonNode p : n) {
                if (!p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
                    throw new EditValidationException("--points JSON entry " + p + " is not an [x, y] pair");
                }
                pts.add(new double[] {p.get(0).asDouble(), p.get(1).asDouble()});
            }
            return EditRequest.pairsFromPoints(pts);
        }
        List<PointPair> out = new ArrayList<>();
        for (String group : t.split(";")) {
            if (group.isBlank()) {
                continue;
            }
            String[] v = group.split(",");
            if (v.length != 4) {
                throw new EditValidationException("point pair '" + group.trim() + "' must be hx,hy,tx,ty");
            }
            double[] d = new double[4];
            for (int i = 0; i < 4; i++) {
                try {
                    d[i] = Double.parseDouble(v[i].trim());
                } catch (NumberFormatException e) {
                    throw new EditValidationException("point pair '" + group.trim() + "': '" + v[i].trim()
                            + "' is not a number");
                }
            }
            out.add(new PointPair(d[0], d[1], d[2], d[3]));
        }
        if (out.isEmpty()) {
            throw new EditValidationException("--points holds no point pair");
        }
        return out;
    }

    static String progressLine(ProgressEvent e) {
        StringBuilder b = new StringBuilder();
        b.append('[').append(e.stage()).append("] step ").append(e.step()).append('/').append(e.total());
        if (e.loss() != null) {
            b.append(String.format(Locale.ROOT, " loss %.5f", e.loss()));
        }
        if (!e.handles().isEmpty()) {
            b.append(" handles ").append(format(e.handles()));
        }
        return b.toString();
    }

    static String format(List<double[]> pts) {
        StringBuilder b = new StringBuilder();
        for (double[] p : pts) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(String.format(Locale.ROOT, "(%.1f, %.1f)", p[0], p[1]));
        }
        return b.toString();
    }
}
