package io.rotationdrag.diffusion.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTokenizerTest {

    /** The test's own bytes_to_unicode (transformers' algorithm), independent of ByteUnicode. */
    private static List<String> byteSymbolsInVocabOrder() {
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) bs.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) bs.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) bs.add(b);
        List<Integer> cs = new ArrayList<>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                bs.add(b);
                cs.add(256 + n++);
            }
        }
        List<String> out = new ArrayList<>();
        for (int c : cs) out.add(new String(Character.toChars(c)));
        return out;
    }

    /**
     * Small vocab: 256 byte symbols, 256 with </w>, then merge results, then specials; merges chosen by hand.
     * Ranks: 0 "c a", 1 "ca t</w>", 2 "t h", 3 "th e</w>", 4 "d o", 5 "do g</w>", 6 "ca t".
     */
    private static Path writeSmallTokenizer(Path dir, boolean withSpecialFiles) throws IOException {
        List<String> merges = List.of("c a", "ca t</w>", "t h", "th e</w>", "d o", "do g</w>", "ca t");
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String s : byteSymbolsInVocabOrder()) vocab.put(s, vocab.size());
        for (String s : byteSymbolsInVocabOrder()) vocab.put(s + "</w>", vocab.size());
        for (String m : merges) vocab.put(m.replace(" ", ""), vocab.size());
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        StringBuilder json = new StringBuilder("{");
        vocab.forEach((k, v) -> json.append(json.length() > 1 ? "," : "")
                .append('"').append(k.replace("\\", "\\\\").replace("\"", "\\\"")).append("\":").append(v));
        json.append('}');
        Files.writeString(dir.resolve("vocab.json"), json, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n",
                StandardCharsets.UTF_8);
        if (withSpecialFiles) {
            Files.writeString(dir.resolve("special_tokens_map.json"), """
                    {"bos_token": {"content": "<|startoftext|>", "lstrip": false, "normalized": true,
                                   "rstrip": false, "single_word": false},
                     "eos_token": {"content": "<|endoftext|>", "lstrip": false, "normalized": true,
                                   "rstrip": false, "single_word": false},
                     "pad_token": "<|endoftext|>",
                     "unk_token": {"content": "<|endoftext|>", "lstrip": false, "normalized": true,
                                   "rstrip": false, "single_word": false}}
                    """);
            Files.writeString(dir.resolve("tokenizer_config.json"), """
                    {"add_prefix_space": false, "do_lower_case": true, "errors": "replace",
                     "model_max_length": 77, "tokenizer_class": "CLIPTokenizer"}
                    """);
        }
        return dir;
    }

    private static int id(String token) {
        // ids of the small vocab: byte symbols 0..255, +256 with </w>, merges from 512, then bos/eos
        List<String> syms = byteSymbolsInVocabOrder();
        if (token.endsWith("</w>") && token.length() == 5) return 256 + syms.indexOf(token.substring(0, 1));
        if (token.length() == 1) return syms.indexOf(token);
        List<String> merged = List.of("ca", "cat</w>", "th", "the</w>", "do", "dog</w>", "cat");
        return 512 + merged.indexOf(token);
    }

    @Test
    void lowerCasesAndAddsStartEndAndPadsTo77(@TempDir Path dir) throws IOException {
        ClipTokenizer tok = ClipTokenizer.load(writeSmallTokenizer(dir, true));
        assertEquals(519, tok.bosId());
        assertEquals(520, tok.eosId());
        assertEquals(520, tok.padId());
        assertEquals(77, tok.maxLength());
        int[] ids = tok.encode("  The   CAT\n");
        assertEquals(77, ids.length);
        assertEquals(tok.bosId(), ids[0]);
        assertEquals(id("the</w>"), ids[1]);
        assertEquals(id("cat</w>"), ids[2]);
        assertEquals(tok.eosId(), ids[3]);
        for (int i = 4; i < 77; i++) assertEquals(tok.padId(), ids[i], "pad at " + i);
        assertArrayEquals(ids, tok.encode("the cat"));
        assertEquals("the cat", tok.decode(ids, true));
    }

    @Test
    void emptyPromptIsBosThenEos(@TempDir Path dir) throws IOException {
        ClipTokenizer tok = ClipTokenizer.load(writeSmallTokenizer(dir, true));
        int[] ids = tok.encode("");
        assertEquals(tok.bosId(), ids[0]);
        for (int i = 1; i < 77; i++) assertEquals(tok.eosId(), ids[i]);
    }

    @Test
    void bpeSplitsByMergeRank(@TempDir Path dir) throws IOException {
        ClipTokenizer tok = ClipTokenizer.load(writeSmallTokenizer(dir, true));
        // "cats": c a t s</w> -> (rank 0) ca t s</w> -> (rank 6 "ca t") cat s</w>; "ca t</w>" does not apply
        assertEquals(List.of("cat", "s</w>"), tok.tokenize("cats"));
        // "dog": d o g</w> -> do g</w> -> dog</w>
        assertEquals(List.of("dog</w>"), tok.tokenize("DOG"));
        // "catcat": c a t c a t</w> -> (rank 0, every occurrence) ca t ca t</w> -> (rank 1 beats rank 6)
        // ca t cat</w> -> (rank 6) cat cat</w>
        assertEquals(List.of("cat", "cat</w>"), tok.tokenize("catcat"));
        // no merges apply: single-character symbols, </w> on the last one
        assertEquals(List.of("x", "y", "z</w>"), tok.tokenize("xyz"));
        // unknown token (not in vocab) maps to unk = <|endoftext|>: every symbol here is in vocab, so none
        int[] ids = tok.encodeUnpadded("xyz");
        assertArrayEquals(new int[] {id("x"), id("y"), id("z</w>")}, ids);
    }

    @Test
    void preTokenisationSplitsDigitsPunctuationAndContractions(@TempDir Path dir) throws IOException {
        ClipTokenizer tok = ClipTokenizer.load(writeSmallTokenizer(dir, true));
        // CLIP regex: letter runs, single digits, punctuation runs, 's as its own piece
        assertEquals(List.of("the</w>", "cat</w>", "'", "s</w>", "1</w>", "2</w>", "!", "?</w>"),
                tok.tokenize("the cat's 12!?"));
        // SD's well-known byte ids: "a" = 320, "," = 267, "!" = 256, digits 272.. (real vocab layout)
        assertEquals(320, tok.encodeUnpadded("a")[0]);
        assertArrayEquals(new int[] {267}, tok.encodeUnpadded(","));
        assertArrayEquals(new int[] {256, 272, 273, 274}, tok.encodeUnpadded("! 123"));
    }

    @Test
    void nonAsciiBytesGoThroughByteMap(@TempDir Path dir) throws IOException {
        ClipTokenizer tok = ClipTokenizer.load(writeSmallTokenizer(dir, true));
        // "é" (U+00E9) is UTF-8 C3 A9: both bytes are printable in the byte map, so symbols "Ã" and "©</w>"
        assertEquals(List.of("\u00c3", "\u00a9</w>"), tok.tokenize("\u00c9"));   // É lower-cases to é
        // a space byte never appears: whitespace separates pieces; NBSP (Zs) also counts as whitespace
        assertEquals(List.of("the</w>", "cat</w>"), tok.tokenize("the\u00a0cat"));
        // control characters are dropped
        assertEquals(List.of("cat</w>"), tok.tokenize("c\u0000at".replace("\u0000", "\u0007")));
        assertEquals("é", tok.decode(tok.encodeUnpadded("é"), true));
    }

    @Test
    void truncatesTo75TokensPlusStartAndEnd(@TempDir Path dir) throws IOException {
        ClipTokenizer tok = ClipTokenizer.load(writeSmallTokenizer(dir, true));
        String prompt = String.join(" ", java.util.Collections.nCopies(100, "dog"));
        int[] ids = tok.encode(prompt);
        assertEquals(77, ids.length);
        assertEquals(tok.bosId(), ids[0]);
        for (int i = 1; i <= 75; i++) assertEquals(id("dog</w>"), ids[i]);
        assertEquals(tok.eosId(), ids[76]);
        int[][] batch = tok.encode(List.of("dog", "the cat"));
        assertEquals(2, batch.length);
        assertEquals(id("dog</w>"), batch[0][1]);
    }

    @Test
    void specialTokenTextIsKeptWhole(@TempDir Path dir) throws IOException {
        ClipTokenizer tok = ClipTokenizer.load(writeSmallTokenizer(dir, true));
        assertEquals(List.of("cat</w>", "<|endoftext|>", "dog</w>"), tok.tokenize("cat<|endoftext|>dog"));
    }

    @Test
    void defaultsWithoutSpecialFilesAndClearErrors(@TempDir Path dir) throws IOException {
        Path d = Files.createDirectories(dir.resolve("plain"));
        ClipTokenizer tok = ClipTokenizer.load(writeSmallTokenizer(d, false));
        assertEquals(77, tok.maxLength());
        assertEquals(520, tok.padId());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipTokenizer.load(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
        Path bad = Files.createDirectories(dir.resolve("bad"));
        writeSmallTokenizer(bad, false);
        Files.writeString(bad.resolve("special_tokens_map.json"), "{\"pad_token\": \"<pad>\"}");
        e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.load(bad));
        assertTrue(e.getMessage().contains("<pad>"), e.getMessage());
    }

    @Test
    void tinyClipFilesWritesWorkingTokenizerInSdLayout(@TempDir Path dir) {
        List<String> words = List.of("a", "photo", "of", "cat", "painting", "squirrel", "Hello", "World");
        int size = TinyClipFiles.write(dir, words);
        ClipTokenizer tok = ClipTokenizer.load(dir);
        assertEquals(size, tok.vocabSize());
        assertEquals(size - 2, tok.bosId());
        assertEquals(size - 1, tok.eosId());
        // every training word is one token with </w>
        for (String w : words) {
            assertEquals(List.of(w.toLowerCase() + "</w>"), tok.tokenize(w), w);
        }
        int[] ids = tok.encode("A photo of a cat");
        assertEquals(320, ids[1]);          // "a</w>" as in SD's vocab
        assertEquals(320, ids[4]);
        assertEquals(tok.eosId(), ids[6]);
        // SD's vector for "Hello, World! 123" has , = 267, ! = 256, 1 2 3 = 272 273 274 at the same places
        int[] h = tok.encode("Hello, World! 123");
        assertArrayEquals(new int[] {267, 256, 272, 273, 274}, new int[] {h[2], h[4], h[5], h[6], h[7]},
                Arrays.toString(h));
        assertEquals(tok.eosId(), h[8]);
        // a capped number of merges still gives a valid tokenizer, words then split into several tokens
        Path capped = dir.resolve("capped");
        int small = TinyClipFiles.write(capped, words, 3);
        assertEquals(512 + 3 + 2, small);
        ClipTokenizer c = ClipTokenizer.load(capped);
        assertTrue(c.tokenize("squirrel").size() > 1);
        assertEquals("squirrel", c.decode(c.encode("squirrel"), true));
    }

    /**
     * Ids from an independent Python re-implementation of transformers' slow CLIPTokenizer (its no-ftfy path,
     * with the {@code regex} module's \\p{L}/\\p{N} and added-token splitting), run on the folder TinyClipFiles
     * writes for these words with 400 merges. Covers accents, final sigma, CJK spacing, emoji bytes, contractions,
     * punctuation runs, digits and special-token text.
     */
    @Test
    void matchesPythonReferenceOnTrickyText(@TempDir Path dir) {
        List<String> words = List.of("a photo of a cat", "the quick brown fox jumps over the lazy dog",
                "painting squirrel eating burger", "hello world caf\u00e9 na\u00efve r\u00e9sum\u00e9",
                "don't we'll they're it's I'm you've he'd", "\u00dcn\u00efc\u00f6d\u00e9 stra\u00dfe \u039f\u0394\u039f\u03a3",
                "\u65e5\u672c\u8a9e \u30c6\u30b9\u30c8 \u4e2d\u6587", "emoji \ud83d\ude00 party \ud83c\udf89");
        TinyClipFiles.write(dir, words, 400);
        ClipTokenizer tok = ClipTokenizer.load(dir);
        Map<String, int[]> cases = new LinkedHashMap<>();
        cases.put("Hello, World! 123", new int[] {649, 577, 267, 617, 256, 272, 273, 274, 650});
        cases.put("a dog's toy", new int[] {649, 320, 563, 535, 83, 78, 344, 650});
        cases.put("don't stop WE'LL they're I'M", new int[] {649, 564, 536, 613, 78, 335, 616, 538, 615, 539, 328, 533, 650});
        cases.put("caf\u00e9 na\u00efve R\u00c9SUM\u00c9", new int[] {649, 559, 587, 611, 650});
        cases.put("\u039f\u0394\u039f\u03a3 stra\u00dfe", new int[] {649, 637, 614, 650});
        cases.put("\u65e5\u672c\u8a9e\u30c6\u30b9\u30c8\u4e2d\u6587",
                new int[] {649, 643, 354, 162, 250, 361, 164, 103, 508, 641, 160, 116, 511, 162, 244, 485, 650});
        cases.put("emoji\ud83d\ude00party\ud83c\udf89!!", new int[] {649, 570, 648, 601, 645, 231, 0, 256, 650});
        cases.put("x1y2z3 -- ... ?!? (paren) [brack] {brace}", new int[] {649, 343, 272, 344, 273, 345, 274, 12, 268,
                13, 13, 269, 30, 0, 286, 263, 599, 68, 333, 264, 314, 547, 64, 555, 316, 346, 547, 64, 66, 324, 348, 650});
        cases.put("<|startoftext|>a cat<|endoftext|> dog", new int[] {649, 649, 320, 558, 650, 563, 650});
        cases.put("  lots   of\n\tspace  ", new int[] {649, 75, 78, 83, 338, 591, 82, 521, 66, 324, 650});
        cases.forEach((text, want) -> {
            int[] got = tok.encode(text);
            assertArrayEquals(want, Arrays.copyOf(got, want.length), text);
            for (int i = want.length; i < 77; i++) assertEquals(650, got[i], text + " pad at " + i);
        });
    }
}
