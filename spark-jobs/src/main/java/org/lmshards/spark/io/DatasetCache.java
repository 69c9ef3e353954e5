package org.lmshards.spark.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.shard.DatasetManifest;
import org.lmshards.core.shard.NpyArrayWriter;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.ShardMeta;
import org.lmshards.core.shard.SplitMeta;
import org.lmshards.core.shard.TokenDtype;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.core.shard.VocabChecksum;
import java.util.OptionalLong;

/**
 * Decides whether an existing output already is the dataset a run would build: its current
 * generation (the highest-numbered manifest; a format-1 dataset is always rebuilt) must record
 * in every split's {@code meta.json} the same source fingerprint (file URIs, sizes, modification
 * times), job settings, tokenizer and tool version, with no split missing or extra, and every
 * file the manifest lists must be present with its size (a cheap check: no shard is read).
 */
public final class DatasetCache {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetCache() {
    }

    /** What a split of the requested dataset must record. */
    public record Expected(String split, Map<String, Object> source, Map<String, Object> settings,
                           Map<String, Object> tokenizer, String toolVersion) {
    }

    /** meta.json's {@code source}: every input file's URI, size and modification time, in order. */
    public static Map<String, Object> source(List<InputFile> files) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (InputFile f : files) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", f.path());
            m.put("size", f.size());
            m.put("modified", f.modified());
            list.add(m);
        }
        Map<String, Object> src = new LinkedHashMap<>();
        src.put("files", list);
        return src;
    }

    /** Null on a cache hit, otherwise why the output cannot be reused. */
    public static String mismatch(DatasetOutput out, List<Expected> splits, List<String> allSplitNames) throws IOException {
        FileSystem fs = out.fs();
        Path output = out.output();
        if (!fs.exists(output)) {
            return "no dataset at " + output;
        }
        DatasetOutput.Published current;
        try {
            current = out.current();
        } catch (IOException | RuntimeException ex) {
            return "its manifest is unreadable (" + ex.getMessage() + ")";
        }
        if (current == null) {
            return fs.exists(new Path(output, ShardLayout.SUCCESS))
                    ? output + " holds a dataset in format 1 (no manifest); rebuilding it in format 2"
                    : output + " holds no complete dataset (no manifest)";
        }
        Path root = current.root();
        String why = manifestProblem(fs, current);
        if (why != null) {
            return why;
        }
        List<String> have = current.manifest().splits();
        for (String name : allSplitNames) {
            boolean wanted = splits.stream().anyMatch(e -> e.split().equals(name));
            if (!wanted && have.contains(name)) {
                return "the existing dataset has a '" + name + "' split that this run does not produce";
            }
        }
        for (Expected e : splits) {
            Path metaFile = new Path(new Path(root, e.split()), ShardLayout.META);
            if (!have.contains(e.split()) || !fs.exists(metaFile)) {
                return "the existing dataset has no '" + e.split() + "' split";
            }
            SplitMeta meta;
            byte[] metaJson;
            try (InputStream in = fs.open(metaFile)) {
                metaJson = in.readAllBytes();
                meta = SplitMeta.read(new java.io.ByteArrayInputStream(metaJson), metaFile.toString());
            } catch (IOException | RuntimeException ex) {
                return metaFile + " is unreadable (" + ex.getMessage() + ")";
            }
            why = diff(e.split() + " source", e.source(), meta.source());
            if (why == null) {
                why = diff(e.split() + " settings", e.settings(), meta.settings());
            }
            if (why == null) {
                why = diff(e.split() + " tokenizer", e.tokenizer(), meta.tokenizer());
            }
            if (why == null && !Objects.equals(e.toolVersion(), meta.toolVersion())) {
                why = e.split() + " was written by version " + meta.toolVersion() + ", this is " + e.toolVersion();
            }
            if (why == null) {
                why = filesProblem(fs, root, e.split(), meta, VocabChecksum.recorded(metaJson));
            }
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** Every file the manifest lists exists with its recorded size (one listing per directory, no read). */
    private static String manifestProblem(FileSystem fs, DatasetOutput.Published current) throws IOException {
        Map<String, Map<String, Long>> listings = new HashMap<>();
        for (DatasetManifest.Entry f : current.manifest().files()) {
            int slash = f.path().lastIndexOf('/');
            String dir = slash < 0 ? "" : f.path().substring(0, slash);
            Map<String, Long> sizes = listings.get(dir);
            if (sizes == null) {
                sizes = new HashMap<>();
                try {
                    for (FileStatus st : fs.listStatus(dir.isEmpty() ? current.root() : new Path(current.root(), dir))) {
                        sizes.put(st.getPath().getName(), st.isFile() ? st.getLen() : -1L);
                    }
                } catch (java.io.FileNotFoundException ex) {
                    // every file of it is missing
                }
                listings.put(dir, sizes);
            }
            Long size = sizes.get(f.path().substring(slash + 1));
            if (size == null) {
                return f.path() + " is missing (" + current.manifestFile().getName() + " lists it)";
            }
            if (size != f.size()) {
                return f.path() + " has " + size + " bytes, expected " + f.size() + " (" + current.manifestFile().getName() + ")";
            }
        }
        return null;
    }

    /**
     * The cheap structural check of a cache hit: {@code vocab.json} present with the recorded
     * size, every shard file present with the byte size its dtype and count imply (the job
     * writes each with {@link NpyArrayWriter}, so the size is exact), no unlisted shard file,
     * and the rejects file when rows were rejected. Reads no shard: checksums stay in {@code verify}.
     */
    private static String filesProblem(FileSystem fs, Path output, String split, SplitMeta meta, OptionalLong vocabCrc)
            throws IOException {
        Path vocabFile = new Path(output, ShardLayout.VOCAB);
        if (!fs.exists(vocabFile)) {
            return ShardLayout.VOCAB + " is missing";
        }
        try (InputStream in = fs.open(vocabFile)) {
            byte[] vocabJson = in.readAllBytes();
            int size = Vocabulary.read(new java.io.ByteArrayInputStream(vocabJson), vocabFile.toString()).size();
            if (size != meta.vocabSize()) {
                return ShardLayout.VOCAB + " has " + size + " entries, " + split + "/meta.json records " + meta.vocabSize();
            }
            // the vocabulary is small, so unlike the shards its bytes are checked here (issue 25)
            if (vocabCrc.isPresent() && VocabChecksum.of(vocabJson) != vocabCrc.getAsLong()) {
                return ShardLayout.VOCAB + " has CRC32C " + VocabChecksum.of(vocabJson) + ", " + split
                        + "/meta.json records " + vocabCrc.getAsLong();
            }
        } catch (IOException | RuntimeException ex) {
            return ShardLayout.VOCAB + " is unreadable (" + ex.getMessage() + ")";
        }
        Map<String, Long> sizes = new HashMap<>();
        for (FileStatus st : fs.listStatus(new Path(output, split))) {
            sizes.put(st.getPath().getName(), st.isFile() ? st.getLen() : -1L);
        }
        TokenDtype dtype = TokenDtype.fromMetaName(meta.dtype());
        if (dtype == null) {
            return split + "/meta.json has an unknown dtype " + meta.dtype();
        }
        for (ShardMeta s : meta.shards()) {
            String why = sizeProblem(split, s.tokensFile(), sizes.remove(s.tokensFile()), NpyArrayWriter.fileSize(dtype.npy(), s.numTokens()));
            if (why == null) {
                why = sizeProblem(split, s.docsFile(), sizes.remove(s.docsFile()),
                        NpyArrayWriter.fileSize(ShardLayout.DOCS_DTYPE, s.numDocs() + 1));
            }
            if (why != null) {
                return why;
            }
        }
        for (String name : sizes.keySet()) {
            if (ShardLayout.SHARD_FILE.matcher(name).matches()) {
                return split + "/" + name + " is not listed in " + split + "/meta.json";
            }
        }
        if (meta.rejectedRows() > 0 && !fs.exists(new Path(new Path(output, ShardLayout.REJECTS), split + ".csv"))) {
            return ShardLayout.REJECTS + "/" + split + ".csv is missing (" + meta.rejectedRows() + " rejected rows recorded)";
        }
        return null;
    }

    private static String sizeProblem(String split, String name, Long size, long expected) {
        if (size == null) {
            return split + "/" + name + " is missing";
        }
        if (size != expected) {
            return split + "/" + name + " has " + size + " bytes, expected " + expected;
        }
        return null;
    }

    private static String diff(String what, Object want, Object have) throws IOException {
        JsonNode w = normalize(want);
        JsonNode h = normalize(have);
        if (w.equals(h)) {
            return null;
        }
        List<String> changes = new ArrayList<>();
        describe("", w, h, changes);
        return what + " changed: " + String.join("; ", changes.subList(0, Math.min(5, changes.size())))
                + (changes.size() > 5 ? "; ..." : "");
    }

    private static void describe(String at, JsonNode want, JsonNode have, List<String> out) {
        if (want != null && have != null && want.isObject() && have.isObject()) {
            Iterator<String> names = want.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                describe(at.isEmpty() ? n : at + "." + n, want.get(n), have.get(n), out);
            }
            Iterator<String> old = have.fieldNames();
            while (old.hasNext()) {
                String n = old.next();
                if (!want.has(n)) {
                    out.add((at.isEmpty() ? n : at + "." + n) + " was " + have.get(n) + ", now absent");
                }
            }
        } else if (want != null && have != null && want.isArray() && have.isArray() && want.size() == have.size()) {
            for (int i = 0; i < want.size(); i++) {
                describe(at + "[" + i + "]", want.get(i), have.get(i), out);
            }
        } else if (!Objects.equals(want, have)) {
            out.add(at + " was " + have + ", now " + want);
        }
    }

    private static JsonNode normalize(Object o) throws IOException {
        // Through text, so that Integer/Long and Map/record differences vanish.
        return JSON.readTree(JSON.writeValueAsString(o));
    }
}
