package io.rotationdrag.diffusion.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer, read from a transformers {@code tokenizer/} folder ({@code vocab.json},
 * {@code merges.txt}, optional {@code special_tokens_map.json} and {@code tokenizer_config.json}), reproducing
 * transformers' slow {@code CLIPTokenizer} without ftfy:
 * <ol>
 *   <li>special-token strings in the text are kept whole (bos/eos/pad/unk map to their ids);</li>
 *   <li>{@link ClipTextCleaner}: whitespace collapse and lower-casing;</li>
 *   <li>pre-tokenisation with CLIP's regex (letters runs, single digits, punctuation runs, contractions);</li>
 *   <li>each piece's UTF-8 bytes mapped through bytes_to_unicode, {@code </w>} appended to the last symbol;</li>
 *   <li>BPE: repeatedly merge every occurrence of the adjacent pair with the lowest merge rank;</li>
 *   <li>SD usage: {@code [bos] + first (max-2) ids + [eos]}, padded to {@code model_max_length} (77) with the pad id.</li>
 * </ol>
 * Thread-safe (the BPE cache is concurrent).
 */
public final class ClipTokenizer {

    public static final String END_OF_WORD = "</w>";
    /** transformers reads at most this many merges (49152 - 256 - 2), which is all of CLIP's 48,894. */
    static final int MAX_MERGES = 49152 - 256 - 2;

    /** CLIP's pre-tokenisation pattern, case-insensitive as in transformers. */
    private static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> bpeRanks;
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();
    private final String bosToken;
    private final String eosToken;
    private final String padToken;
    private final String unkToken;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int unkId;
    private final int maxLength;

    /**
     * @param vocab  token string -> id (vocab.json)
     * @param merges merge pairs in rank order ("left right"), without the "#version" header
     */
    public ClipTokenizer(Map<String, Integer> vocab, List<String> merges, String bosToken, String eosToken,
                         String padToken, String unkToken, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("model_max_length must be >= 2, got " + maxLength);
        }
        this.encoder = Map.copyOf(vocab);
        int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        this.decoder = new String[maxId + 1];
        vocab.forEach((tok, id) -> {
            if (id < 0) {
                throw new IllegalArgumentException("negative id " + id + " for token '" + tok + "' in vocab");
            }
            decoder[id] = tok;
        });
        this.bpeRanks = new HashMap<>();
        int limit = Math.min(merges.size(), MAX_MERGES);
        for (int r = 0; r < limit; r++) {
            String[] pair = merges.get(r).trim().split("\\s+");
            if (pair.length != 2) {
                throw new IllegalArgumentException("merge line " + (r + 2) + " is not a pair: '" + merges.get(r) + "'");
            }
            bpeRanks.putIfAbsent(pair[0] + " " + pair[1], r);
        }
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.padToken = padToken;
        this.unkToken = unkToken;
        this.unkId = requireId(unkToken, "unk");
        this.bosId = requireId(bosToken, "bos");
        this.eosId = requireId(eosToken, "eos");
        this.padId = requireId(padToken, "pad");
        this.maxLength = maxLength;
    }

    private int requireId(String token, String role) {
        Integer id = encoder.get(token);
        if (id == null) {
            throw new IllegalArgumentException(role + " token '" + token + "' is not in vocab.json");
        }
        return id;
    }

    /** Loads a transformers tokenizer folder (vocab.json + merges.txt [+ special_tokens_map.json, tokenizer_config.json]). */
    public static ClipTokenizer load(Path dir) {
        Path vocabFile = dir.resolve("vocab.json");
        Path mergesFile = dir.resolve("merges.txt");
        for (Path p : List.of(vocabFile, mergesFile)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("tokenizer file missing: " + p);
            }
        }
        try {
            Map<String, Integer> vocab = JSON.readValue(vocabFile.toFile(), new TypeReference<LinkedHashMap<String, Integer>>() { });
            // transformers: read().strip().split("\n")[1:...]; the first line is "#version: 0.2"
            String content = Files.readString(mergesFile, StandardCharsets.UTF_8).strip();
            List<String> lines = new ArrayList<>(Arrays.asList(content.split("\n")));
            if (!lines.isEmpty()) {
                lines.remove(0);
            }
            lines.replaceAll(String::strip);
            lines.removeIf(String::isEmpty);

            // CLIPTokenizer's defaults, overridden by tokenizer_config.json, then by special_tokens_map.json
            Map<String, String> special = new HashMap<>(Map.of(
                    "bos_token", "<|startoftext|>", "eos_token", "<|endoftext|>",
                    "pad_token", "<|endoftext|>", "unk_token", "<|endoftext|>"));
            int maxLength = 77;
            Path config = dir.resolve("tokenizer_config.json");
            if (Files.isRegularFile(config)) {
                JsonNode c = JSON.readTree(config.toFile());
                readSpecial(c, special);
                JsonNode ml = c.get("model_max_length");
                // some configs carry a huge sentinel (VERY_LARGE_INTEGER) meaning "unset"
                if (ml != null && ml.isNumber() && ml.asDouble() > 0 && ml.asDouble() < 1e6) {
                    maxLength = ml.asInt();
                }
            }
            Path map = dir.resolve("special_tokens_map.json");
            if (Files.isRegularFile(map)) {
                readSpecial(JSON.readTree(map.toFile()), special);
            }
            return new ClipTokenizer(vocab, lines, special.get("bos_token"), special.get("eos_token"),
                    special.get("pad_token"), special.get("unk_token"), maxLength);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer folder " + dir, e);
        }
    }

    private static void readSpecial(JsonNode node, Map<String, String> into) {
        for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                continue;
            }
            // either a plain string or an AddedToken object {"content": ..., "lstrip": ..., ...}
            String s = v.isTextual() ? v.asText() : v.path("content").asText(null);
            if (s != null) {
                into.put(key, s);
            }
        }
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padId;
    }

    public int unkId() {
        return unkId;
    }

    /** model_max_length (77 for CLIP). */
    public int maxLength() {
        return maxLength;
    }

    /** Number of entries in vocab.json (49,408 for SD 1.5). */
    public int vocabSize() {
        return encoder.size();
    }

    /** The BPE tokens of {@code text} (no bos/eos, no truncation), as transformers' {@code tokenize}. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (String segment : splitOnSpecialTokens(text)) {
            if (isSpecial(segment)) {
                out.add(segment);
                continue;
            }
            Matcher m = PIECES.matcher(ClipTextCleaner.clean(segment));
            while (m.find()) {
                String piece = ByteUnicode.encodeBytes(m.group().getBytes(StandardCharsets.UTF_8));
                out.addAll(Arrays.asList(bpe(piece)));
            }
        }
        return out;
    }

    /** Ids of {@code text} without special tokens, truncation or padding. */
    public int[] encodeUnpadded(String text) {
        return tokenize(text).stream().mapToInt(t -> encoder.getOrDefault(t, unkId)).toArray();
    }

    /**
     * SD's call {@code tokenizer(text, padding="max_length", max_length=77, truncation=True)}:
     * {@code [bos] + first (max-2) ids + [eos]}, then the pad id up to {@link #maxLength()}.
     */
    public int[] encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("prompt must not be null (use \"\" for the empty prompt)");
        }
        int[] body = encodeUnpadded(text);
        int keep = Math.min(body.length, maxLength - 2);
        int[] ids = new int[maxLength];
        Arrays.fill(ids, padId);
        ids[0] = bosId;
        System.arraycopy(body, 0, ids, 1, keep);
        ids[keep + 1] = eosId;
        return ids;
    }

    /** {@link #encode(String)} for each prompt. */
    public int[][] encode(List<String> texts) {
        return texts.stream().map(this::encode).toArray(int[][]::new);
    }

    /** Inverse mapping for logs and tests: tokens joined, bytes decoded as UTF-8 (invalid -> U+FFFD), {@code </w>} -> space. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder joined = new StringBuilder();
        StringBuilder result = new StringBuilder();
        for (int id : ids) {
            String tok = id >= 0 && id < decoder.length ? decoder[id] : null;
            if (tok == null) {
                throw new IllegalArgumentException("id " + id + " is not in the vocabulary");
            }
            boolean special = isSpecial(tok);
            if (special && skipSpecialTokens) {
                continue;
            }
            if (special) {
                flushBytes(joined, result);
                result.append(tok);
            } else {
                joined.append(tok);
            }
        }
        flushBytes(joined, result);
        return result.toString().strip();
    }

    private static void flushBytes(StringBuilder joined, StringBuilder result) {
        String text = joined.toString().replace(END_OF_WORD, " ");
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                pending.write(' ');
                continue;
            }
            int b = ByteUnicode.decode(c);
            if (b < 0) {
                throw new IllegalStateException("character U+" + Integer.toHexString(c) + " is not a byte symbol");
            }
            pending.write(b);
        }
        try {
            result.append(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(pending.toByteArray())));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
        joined.setLength(0);
    }

    private boolean isSpecial(String s) {
        return s.equals(bosToken) || s.equals(eosToken) || s.equals(padToken) || s.equals(unkToken);
    }

    /** Splits on literal special-token strings, keeping them as their own segments (transformers' added-token trie). */
    private List<String> splitOnSpecialTokens(String text) {
        List<String> out = new ArrayList<>();
        String[] specials = {bosToken, eosToken, padToken, unkToken};
        int start = 0;
        int i = 0;
        outer:
        while (i < text.length()) {
            for (String s : specials) {
                if (!s.isEmpty() && text.startsWith(s, i)) {
                    if (i > start) {
                        out.add(text.substring(start, i));
                    }
                    out.add(s);
                    i += s.length();
                    start = i;
                    continue outer;
                }
            }
            i++;
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    /** BPE of one byte-encoded piece: the symbols after all merges, the last carrying {@code </w>}. */
    String[] bpe(String piece) {
        String[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>(piece.length());
        int n = piece.length();
        for (int i = 0; i < n; i++) {
            // byte symbols are single BMP chars (U+0021..U+0143), so char iteration is exact
            word.add(i == n - 1 ? piece.charAt(i) + END_OF_WORD : String.valueOf(piece.charAt(i)));
        }
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = bpeRanks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            // merge every occurrence of (first, second), scanning left to right
            List<String> merged = new ArrayList<>(word.size());
            int i = 0;
            while (i < word.size()) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        String[] result = word.toArray(new String[0]);
        if (cache.size() < 100_000) {
            cache.put(piece, result);
        }
        return result;
    }
}
