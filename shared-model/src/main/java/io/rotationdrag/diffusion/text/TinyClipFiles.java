package io.rotationdrag.diffusion.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a tiny but real CLIP tokenizer folder (vocab.json, merges.txt, special_tokens_map.json,
 * tokenizer_config.json) in SD 1.5's layout: ids 0..255 the byte symbols in bytes_to_unicode order, 256..511 the
 * same with {@code </w>}, then one entry per merge in rank order, then {@code <|startoftext|>} and
 * {@code <|endoftext|>} (so single-character ids equal SD's: "a" = 320, "," = 267, "1" = 272).
 *
 * <p>The merges are learned by plain BPE training on the given words (most frequent adjacent pair first,
 * ties by the pair's text), so every training word encodes to a single token when {@code maxMerges} allows it.
 */
public final class TinyClipFiles {

    /** Words for prompts in tests and the synthetic model. */
    public static final List<String> DEFAULT_WORDS = List.of(
            "a", "an", "the", "photo", "of", "painting", "picture", "cat", "dog", "clock", "face", "hand",
            "arm", "head", "tree", "house", "car", "wheel", "bird", "flower", "person", "man", "woman",
            "red", "green", "blue", "white", "black", "yellow", "big", "small", "square", "circle",
            "triangle", "rotate", "rotating", "turn", "left", "right", "up", "down", "on", "in", "with",
            "and", "background", "object", "shape", "bright", "dark", "scene", "synthetic", "sky", "water");

    private static final Pattern PIECES = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TinyClipFiles() {
    }

    /** {@link #write(Path, Collection, int)} with an unlimited number of merges. */
    public static int write(Path tokenizerDir, Collection<String> words) {
        return write(tokenizerDir, words, Integer.MAX_VALUE);
    }

    /**
     * Writes the four tokenizer files into {@code tokenizerDir} (created if needed).
     *
     * @return the vocabulary size (512 + merges + 2); a text encoder for this tokenizer needs vocab_size >= it
     */
    public static int write(Path tokenizerDir, Collection<String> words, int maxMerges) {
        List<String> merges = learnMerges(words, maxMerges);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < 256; i++) {
            vocab.put(String.valueOf(ByteUnicode.encode(ByteUnicode.byteAtVocabIndex(i))), vocab.size());
        }
        for (int i = 0; i < 256; i++) {
            vocab.put(ByteUnicode.encode(ByteUnicode.byteAtVocabIndex(i)) + ClipTokenizer.END_OF_WORD, vocab.size());
        }
        for (String m : merges) {
            vocab.putIfAbsent(m.replace(" ", ""), vocab.size());
        }
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());

        Map<String, Object> bos = addedToken("<|startoftext|>");
        Map<String, Object> eos = addedToken("<|endoftext|>");
        Map<String, Object> specialMap = new LinkedHashMap<>();
        specialMap.put("bos_token", bos);
        specialMap.put("eos_token", eos);
        specialMap.put("pad_token", "<|endoftext|>");
        specialMap.put("unk_token", eos);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("add_prefix_space", false);
        config.put("bos_token", bos);
        config.put("do_lower_case", true);
        config.put("eos_token", eos);
        config.put("errors", "replace");
        config.put("model_max_length", 77);
        config.put("pad_token", "<|endoftext|>");
        config.put("tokenizer_class", "CLIPTokenizer");
        config.put("unk_token", eos);
        try {
            Files.createDirectories(tokenizerDir);
            JSON.writeValue(tokenizerDir.resolve("vocab.json").toFile(), vocab);
            StringBuilder sb = new StringBuilder("#version: 0.2\n");
            merges.forEach(m -> sb.append(m).append('\n'));
            Files.writeString(tokenizerDir.resolve("merges.txt"), sb, StandardCharsets.UTF_8);
            JSON.writeValue(tokenizerDir.resolve("special_tokens_map.json").toFile(), specialMap);
            JSON.writeValue(tokenizerDir.resolve("tokenizer_config.json").toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer files to " + tokenizerDir, e);
        }
        return vocab.size();
    }

    private static Map<String, Object> addedToken(String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("content", content);
        m.put("lstrip", false);
        m.put("normalized", true);
        m.put("rstrip", false);
        m.put("single_word", false);
        return m;
    }

    /** Plain BPE training on the byte-encoded pieces of the words (each piece counted once per occurrence). */
    static List<String> learnMerges(Collection<String> words, int maxMerges) {
        List<List<String>> corpus = new ArrayList<>();
        for (String w : words) {
            Matcher m = PIECES.matcher(w.toLowerCase(Locale.ROOT));
            while (m.find()) {
                String piece = ByteUnicode.encodeBytes(m.group().getBytes(StandardCharsets.UTF_8));
                List<String> symbols = new ArrayList<>();
                for (int i = 0; i < piece.length(); i++) {
                    symbols.add(i == piece.length() - 1 ? piece.charAt(i) + ClipTokenizer.END_OF_WORD
                            : String.valueOf(piece.charAt(i)));
                }
                corpus.add(symbols);
            }
        }
        List<String> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            TreeMap<String, Integer> counts = new TreeMap<>();
            for (List<String> word : corpus) {
                for (int i = 0; i + 1 < word.size(); i++) {
                    counts.merge(word.get(i) + " " + word.get(i + 1), 1, Integer::sum);
                }
            }
            if (counts.isEmpty()) {
                break;
            }
            String best = null;
            int bestCount = 0;
            for (Map.Entry<String, Integer> e : counts.entrySet()) { // sorted: ties go to the smallest text
                if (e.getValue() > bestCount) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            merges.add(best);
            String[] pair = best.split(" ");
            for (int w = 0; w < corpus.size(); w++) {
                List<String> word = corpus.get(w);
                List<String> merged = new ArrayList<>(word.size());
                int i = 0;
                while (i < word.size()) {
                    if (i + 1 < word.size() && word.get(i).equals(pair[0]) && word.get(i + 1).equals(pair[1])) {
                        merged.add(pair[0] + pair[1]);
                        i += 2;
                    } else {
                        merged.add(word.get(i));
                        i++;
                    }
                }
                corpus.set(w, merged);
            }
        }
        return merges;
    }
}
