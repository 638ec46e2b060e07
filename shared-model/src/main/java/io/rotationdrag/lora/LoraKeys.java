package io.rotationdrag.lora;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LoRA tensor names. We write the layout current diffusers' {@code save_lora_weights} writes for an SD 1.5 UNet:
 * {@code unet.<module>.lora.down.weight} [r, in] and {@code unet.<module>.lora.up.weight} [out, r], where
 * {@code <module>} is the diffusers path of the projection, e.g.
 * {@code down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q} or {@code ...attn1.to_out.0}.
 *
 * <p>Read: every layout diffusers' loader maps to that (diffusers {@code state_dict_utils}: UNET_TO_DIFFUSERS,
 * DIFFUSERS_OLD_TO_DIFFUSERS, PEFT_TO_DIFFUSERS, KEYS_TO_ALWAYS_REPLACE):
 * <ul>
 *   <li>any number of leading {@code unet.} (DragDiffusion's file has {@code unet.unet.}; the loader strips all);</li>
 *   <li>{@code .processor.} dropped (attention-processor layout);</li>
 *   <li>{@code .to_q_lora.down.weight} / {@code .to_out_lora.up.weight} (old attention-processor names) ->
 *       {@code .to_q.lora.down.weight} / {@code .to_out.0.lora.up.weight};</li>
 *   <li>PEFT {@code .lora_A[.adapter].weight} / {@code .lora_B[.adapter].weight} -> down / up;</li>
 *   <li>{@code .lora_linear_layer.down/up.weight} -> down / up;</li>
 *   <li>{@code <module>.alpha} (network alpha): the update is scaled by alpha / rank.</li>
 * </ul>
 * Text-encoder LoRA, DoRA magnitude vectors and kohya/LDM names are rejected with a message.
 */
public final class LoraKeys {

    /** Which tensor of a LoRA layer a key holds. */
    public enum Part { DOWN, UP, ALPHA }

    /** A parsed key: the module path (diffusers naming, no "unet." prefix) and the part. */
    public record Parsed(String module, Part part) {
    }

    private static final Pattern OLD_PROCESSOR = Pattern.compile("^(.*)\\.(to_q|to_k|to_v|to_out)_lora\\.(down|up)\\.weight$");
    private static final Pattern DIFFUSERS = Pattern.compile("^(.*)\\.lora\\.(down|up)\\.weight$");
    private static final Pattern LINEAR_LAYER = Pattern.compile("^(.*)\\.lora_linear_layer\\.(down|up)\\.weight$");
    private static final Pattern PEFT = Pattern.compile("^(.*)\\.lora_(A|B)(\\.[A-Za-z0-9_\\-]+)?\\.weight$");
    private static final Pattern ALPHA = Pattern.compile("^(.*)\\.alpha$");

    private LoraKeys() {
    }

    public static String downKey(String module) {
        return "unet." + module + ".lora.down.weight";
    }

    public static String upKey(String module) {
        return "unet." + module + ".lora.up.weight";
    }

    public static String alphaKey(String module) {
        return "unet." + module + ".alpha";
    }

    /**
     * Parses a key of any supported layout.
     *
     * @throws IllegalArgumentException with the key and the reason for keys of unsupported layouts
     */
    public static Parsed parse(String key) {
        String k = key;
        if (k.startsWith("text_encoder") || k.startsWith("lora_te")) {
            throw new IllegalArgumentException("LoRA key '" + key
                    + "' belongs to the text encoder; only UNet LoRA is supported");
        }
        if (k.startsWith("lora_unet_")) {
            throw new IllegalArgumentException("LoRA key '" + key
                    + "' is in the kohya/LDM layout, which is not supported; convert it to diffusers names");
        }
        if (k.contains("lora_magnitude_vector")) {
            throw new IllegalArgumentException("LoRA key '" + key + "' is a DoRA magnitude vector; DoRA is not supported");
        }
        while (k.startsWith("unet.")) {
            k = k.substring(5);
        }
        k = k.replace(".processor.", ".");
        Matcher m = OLD_PROCESSOR.matcher(k);
        if (m.matches()) {
            String proj = m.group(2).equals("to_out") ? "to_out.0" : m.group(2);
            return new Parsed(normalise(m.group(1) + "." + proj), part(m.group(3)));
        }
        m = DIFFUSERS.matcher(k);
        if (m.matches()) {
            return new Parsed(normalise(m.group(1)), part(m.group(2)));
        }
        m = LINEAR_LAYER.matcher(k);
        if (m.matches()) {
            return new Parsed(normalise(m.group(1)), part(m.group(2)));
        }
        m = PEFT.matcher(k);
        if (m.matches()) {
            return new Parsed(normalise(m.group(1)), m.group(2).equals("A") ? Part.DOWN : Part.UP);
        }
        m = ALPHA.matcher(k);
        if (m.matches()) {
            String mod = m.group(1);
            Matcher old = Pattern.compile("^(.*)\\.(to_q|to_k|to_v|to_out)_lora$").matcher(mod);
            if (old.matches()) {
                mod = old.group(1) + "." + (old.group(2).equals("to_out") ? "to_out.0" : old.group(2));
            }
            return new Parsed(normalise(mod), Part.ALPHA);
        }
        throw new IllegalArgumentException("LoRA key '" + key + "' is in no supported layout (expected e.g. "
                + downKey("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q") + ")");
    }

    /** "....to_out" (no index) -> "....to_out.0", the Linear inside diffusers' to_out ModuleList. */
    static String normalise(String module) {
        return module.endsWith(".to_out") ? module + ".0" : module;
    }

    private static Part part(String s) {
        return s.equals("down") ? Part.DOWN : Part.UP;
    }

    /** The projection a module path ends with: to_q, to_k, to_v or to_out (for to_out.0); null for others. */
    public static String projection(String module) {
        if (module.endsWith(".to_out.0")) {
            return "to_out";
        }
        int dot = module.lastIndexOf('.');
        String last = module.substring(dot + 1);
        return switch (last) {
            case "to_q", "to_k", "to_v" -> last;
            default -> null;
        };
    }

    /** The attention layer of a projection path: "....attn1.to_q" -> "....attn1". */
    public static String attentionOf(String module) {
        String p = projection(module);
        if (p == null) {
            throw new IllegalArgumentException("LoRA module '" + module + "' is not an attention projection "
                    + "(to_q, to_k, to_v, to_out.0)");
        }
        return module.substring(0, module.length() - (p.equals("to_out") ? ".to_out.0".length() : p.length() + 1));
    }
}
