package io.rotationdrag.synth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Every word a scene prompt can use (for building the embedded model's word-level tokenizer). */
public final class SceneVocabulary {

    private SceneVocabulary() {
    }

    public static List<String> words() {
        Set<String> w = new LinkedHashSet<>(List.of("a", "an", "on", "background", "letter"));
        for (NamedColor c : NamedColor.values()) {
            w.add(c.word());
        }
        for (PartType p : PartType.values()) {
            w.addAll(List.of(p.noun().split(" ")));
        }
        for (char c : Scene.LETTERS.toCharArray()) {
            w.add(String.valueOf(c).toLowerCase(Locale.ROOT));
        }
        return new ArrayList<>(w);
    }
}
