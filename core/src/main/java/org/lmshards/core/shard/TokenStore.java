package org.lmshards.core.shard;

import org.lmshards.core.ShardFormatException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.lmshards.core.vocab.Vocabulary;

/**
 * One split of a dataset, memory-mapped (docs/FORMAT.md): all shards form one virtual token
 * stream of {@code long} length, read with {@link #get} and the bulk {@link #read}, which cross
 * shard boundaries. Document boundaries come from the mapped {@code docs-*.npy} files. The corpus
 * is never copied onto the Java heap.
 *
 * <p>{@link #open} performs the cheap checks of FORMAT.md "What a reader checks" (O(shards));
 * {@link DatasetVerifier} does the full check. Thread-safe for reading; {@link #close()} drops the
 * mappings (the OS unmaps them when they are garbage collected).
 */
public final class TokenStore implements Closeable {
    /** Largest single mapping: 2 GiB minus 8 bytes (a {@code ByteBuffer} holds at most {@code Integer.MAX_VALUE} bytes). */
    static final long DEFAULT_MAX_MAP_BYTES = Integer.MAX_VALUE & ~7L;
    // The segments travel as the readers' per-read state, so the readers are constants.
    private static final RunWalker.PieceReader<int[], TokenSegment[]> INTS =
            (k, from, dst, off, n, segs) -> segs[k].read((int) from, dst, off, n);
    private static final RunWalker.PieceReader<float[], TokenSegment[]> FLOATS =
            (k, from, dst, off, n, segs) -> segs[k].read((int) from, dst, off, n);

    private final Path splitDir;
    private final SplitMeta meta;
    private final TokenDtype dtype;
    private final int vocabSize;
    private final long size;
    private final long numDocs;
    private final Path[] tokenFiles;
    private final Path[] docFiles;
    private final MappedArray[] tokens;
    private final MappedArray[] docs;
    /** Global token offset of each shard, plus the total at the end. */
    private final long[] shardFirstToken;
    /** Global number of each shard's first document, plus the total at the end. */
    private final long[] shardFirstDoc;
    /** Flattened mapping chunks of all shards: global start of each (plus the total), and their ids. */
    private final long[] segStart;
    private final TokenSegment[] segs;
    private volatile boolean closed;

    private TokenStore(Path splitDir, SplitMeta meta, TokenDtype dtype, Path[] tokenFiles, Path[] docFiles,
            MappedArray[] tokens, MappedArray[] docs) {
        this.splitDir = splitDir;
        this.meta = meta;
        this.dtype = dtype;
        this.vocabSize = meta.vocabSize();
        this.size = meta.totalTokens();
        this.numDocs = meta.numDocs();
        this.tokenFiles = tokenFiles;
        this.docFiles = docFiles;
        this.tokens = tokens;
        this.docs = docs;
        int n = tokens.length;
        shardFirstToken = new long[n + 1];
        shardFirstDoc = new long[n + 1];
        int numSegs = 0;
        for (int s = 0; s < n; s++) {
            shardFirstToken[s + 1] = shardFirstToken[s] + tokens[s].length;
            shardFirstDoc[s + 1] = shardFirstDoc[s] + meta.shards().get(s).numDocs();
            numSegs += tokens[s].chunks.length;
        }
        segStart = new long[numSegs + 1];
        segs = new TokenSegment[numSegs];
        int k = 0;
        for (int s = 0; s < n; s++) {
            MappedArray a = tokens[s];
            for (int c = 0; c < a.chunks.length; c++, k++) {
                segStart[k] = shardFirstToken[s] + c * a.chunkElems;
                segs[k] = TokenSegment.over(dtype, a.chunks[c]);
            }
        }
        segStart[numSegs] = size;
    }

    /** Opens split {@code split} of the dataset at {@code datasetDir}, validating it (cheap checks). */
    public static TokenStore open(Path datasetDir, String split) throws IOException {
        return open(datasetDir, split, DEFAULT_MAX_MAP_BYTES);
    }

    /** As {@link #open(Path, String)} with a smaller mapping size, so tests can exercise multi-mapping shards. */
    static TokenStore open(Path datasetDir, String split, long maxMapBytes) throws IOException {
        DatasetRoot root = DatasetRoot.resolve(datasetDir);
        Vocabulary vocab = Vocabulary.read(root.file(ShardLayout.VOCAB));
        return open(root.root(), split, vocab.size(), maxMapBytes);
    }

    /** Opens a split of the generation at {@code datasetDir} whose completeness and vocab.json were already checked. */
    static TokenStore open(Path datasetDir, String split, int vocabSize, long maxMapBytes) throws IOException {
        Path splitDir = datasetDir.resolve(split);
        Path metaFile = splitDir.resolve(ShardLayout.META);
        if (!Files.isDirectory(splitDir)) {
            throw new ShardFormatException(splitDir.toString(), "missing split: '" + split + "' does not exist");
        }
        SplitMeta meta;
        byte[] metaJson;
        try {
            metaJson = Files.readAllBytes(metaFile);
        } catch (NoSuchFileException e) {
            throw new ShardFormatException(metaFile.toString(), "meta.json missing", e);
        }
        meta = SplitMeta.read(new java.io.ByteArrayInputStream(metaJson), metaFile.toString());
        TokenDtype dtype = checkMeta(meta, split, vocabSize, metaFile.toString());
        VocabChecksum.check(datasetDir.resolve(ShardLayout.VOCAB), metaJson, metaFile);
        checkNoExtraShards(splitDir, meta);
        int n = meta.shards().size();
        Path[] tokenFiles = new Path[n];
        Path[] docFiles = new Path[n];
        MappedArray[] tokens = new MappedArray[n];
        MappedArray[] docs = new MappedArray[n];
        for (int s = 0; s < n; s++) {
            ShardMeta sm = meta.shards().get(s);
            tokenFiles[s] = splitDir.resolve(sm.tokensFile());
            docFiles[s] = splitDir.resolve(sm.docsFile());
            tokens[s] = mapChecked(tokenFiles[s], dtype.npy(), sm.numTokens(), "num_tokens", maxMapBytes);
            docs[s] = mapChecked(docFiles[s], ShardLayout.DOCS_DTYPE, sm.numDocs() + 1, "num_docs + 1", maxMapBytes);
            long first = docs[s].getLong(0), last = docs[s].getLong(sm.numDocs());
            if (first != 0 || last != sm.numTokens()) {
                throw new ShardFormatException(docFiles[s].toString(), "bad document index: offsets run from "
                        + first + " to " + last + ", expected 0 to num_tokens " + sm.numTokens());
            }
        }
        return new TokenStore(splitDir, meta, dtype, tokenFiles, docFiles, tokens, docs);
    }

    private static TokenDtype checkMeta(SplitMeta meta, String split, int vocabSize, String file)
            throws ShardFormatException {
        if (!split.equals(meta.split())) {
            throw new ShardFormatException(file, "malformed meta.json: split is '" + meta.split() + "' but the directory is '" + split + "'");
        }
        if (meta.vocabSize() != vocabSize) {
            throw new ShardFormatException(file, "vocab size mismatch: meta.json vocab_size " + meta.vocabSize()
                    + " but vocab.json size " + vocabSize);
        }
        TokenDtype dtype = TokenDtype.fromMetaName(meta.dtype());
        if (dtype == null) {
            throw new ShardFormatException(file, "dtype mismatch: unknown dtype '" + meta.dtype()
                    + "' (expected uint16 or int32)");
        }
        if (dtype != TokenDtype.forVocabSize(vocabSize)) {
            throw new ShardFormatException(file, "dtype mismatch: dtype " + dtype.metaName() + " but a vocabulary of "
                    + vocabSize + " requires " + TokenDtype.forVocabSize(vocabSize).metaName());
        }
        long tokens = 0, docs = 0;
        List<ShardMeta> shards = meta.shards();
        for (int i = 0; i < shards.size(); i++) {
            ShardMeta s = shards.get(i);
            String where = "shards[" + i + "] ";
            if (s.index() != i || !s.tokensFile().equals(ShardLayout.tokensFile(i))
                    || !s.docsFile().equals(ShardLayout.docsFile(i))) {
                throw new ShardFormatException(file, "malformed meta.json: " + where + "should have index " + i + " with files "
                        + ShardLayout.tokensFile(i) + " and " + ShardLayout.docsFile(i) + ", got index " + s.index()
                        + " with " + s.tokensFile() + " and " + s.docsFile());
            }
            if (s.numDocs() < 1 || s.numTokens() < s.numDocs()) {
                throw new ShardFormatException(file, "count mismatch: " + where + "has num_tokens " + s.numTokens()
                        + " and num_docs " + s.numDocs() + " (a shard holds at least one non-empty document)");
            }
            if (s.firstDoc() != docs || s.firstToken() != tokens) {
                throw new ShardFormatException(file, "count mismatch: " + where + "has first_doc " + s.firstDoc()
                        + " and first_token " + s.firstToken() + ", expected the running sums " + docs + " and " + tokens);
            }
            tokens += s.numTokens();
            docs += s.numDocs();
        }
        if (tokens != meta.totalTokens() || docs != meta.numDocs()) {
            throw new ShardFormatException(file, "count mismatch: total_tokens " + meta.totalTokens() + " and num_docs "
                    + meta.numDocs() + " but the shards add up to " + tokens + " and " + docs);
        }
        return dtype;
    }

    private static void checkNoExtraShards(Path splitDir, SplitMeta meta) throws IOException {
        Set<String> listed = new HashSet<>();
        for (ShardMeta s : meta.shards()) {
            listed.add(s.tokensFile());
            listed.add(s.docsFile());
        }
        Set<String> extra = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(splitDir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (ShardLayout.SHARD_FILE.matcher(name).matches() && !listed.contains(name)) {
                    extra.add(name);
                }
            }
        }
        if (!extra.isEmpty()) {
            throw new ShardFormatException(splitDir.resolve(extra.iterator().next()).toString(),
                    "extra shard: not listed in meta.json");
        }
    }

    /** Opens, validates (header, descr, shape, exact size) and maps one .npy file. */
    private static MappedArray mapChecked(Path file, NpyDtype dtype, long expectedLength, String countName,
            long maxMapBytes) throws IOException {
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyHeader h = NpyHeader.read(ch, name);
            if (!dtype.descr().equals(h.descr())) {
                // names a token dtype as meta.json does; any other descr speaks for itself
                TokenDtype actual = TokenDtype.fromDescr(h.descr());
                throw new ShardFormatException(name, "dtype mismatch: descr '" + h.descr() + "'"
                        + (actual != null ? " (" + actual.metaName() + ")" : "") + " but meta.json requires '"
                        + dtype.descr() + "' (" + dtype.numpyName() + ")");
            }
            if (h.length() != expectedLength) {
                throw new ShardFormatException(name, "count mismatch: shape (" + h.length() + ",) but meta.json "
                        + countName + " is " + expectedLength);
            }
            long expectedSize = h.dataOffset() + dtype.bytes(expectedLength);
            long actualSize = ch.size();
            if (actualSize < expectedSize) {
                throw new ShardFormatException(name, "truncated: " + actualSize + " bytes, expected " + expectedSize);
            }
            if (actualSize > expectedSize) {
                throw new ShardFormatException(name, "trailing bytes: " + actualSize + " bytes, expected "
                        + expectedSize);
            }
            return MappedArray.map(ch, h.dataOffset(), expectedLength, dtype.itemSize(), maxMapBytes);
        } catch (NoSuchFileException e) {
            throw new ShardFormatException(name, "missing shard: listed in meta.json but absent", e);
        }
    }

    /** Tokens in the split. */
    public long size() {
        return size;
    }

    /** The token at global offset {@code i}. */
    public int get(long i) {
        Objects.checkIndex(i, size);
        int k = segment(i);
        int local = (int) (i - segStart[k]);
        return segs[k].get(local);
    }

    /** Copies tokens {@code [start, start+len)} into {@code dst[off, off+len)}, crossing shard boundaries. */
    public void read(long start, int[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        Objects.checkFromIndexSize(start, len, size);
        if (len > 0) {
            readSegments(start, dst, off, len, INTS);
        }
    }

    /**
     * As {@link #read(long, int[], int, int)}, but widens the ids straight from the mapping into
     * {@code float} ({@code uint16} as unsigned), with no intermediate copy: the form a model's
     * input arrays take. Ids are below the vocabulary size, so they convert to {@code float} exactly
     * (up to 2^24). Thread-safe: keeps no state between calls.
     */
    public void read(long start, float[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        Objects.checkFromIndexSize(start, len, size);
        if (len > 0) {
            readSegments(start, dst, off, len, FLOATS);
        }
    }

    private <D> void readSegments(long start, D dst, int off, int len, RunWalker.PieceReader<D, TokenSegment[]> reader) {
        int k = segment(start);
        if (start + len <= segStart[k + 1]) {
            // Nearly every read lies in one segment (up to 2 GiB). Reading it without RunWalker keeps
            // the hot path small enough for the JIT to inline into the batch filler: RunWalker's call
            // to its reader is shared by all its callers, so it is compiled for all of them.
            reader.read(k, start - segStart[k], dst, off, len, segs);
        } else {
            RunWalker.read(segStart, k, start, dst, off, len, reader, segs);
        }
    }

    private int segment(long i) {
        return RunStarts.runOf(segStart, 0, segStart.length - 1, i); // the total at the end is no segment
    }

    /** Documents in the split. */
    public long numDocs() {
        return numDocs;
    }

    /** Global token offset at which document {@code doc} starts. */
    public long docStart(long doc) {
        Objects.checkIndex(doc, numDocs);
        int s = shardOfDoc(doc);
        return shardFirstToken[s] + docs[s].getLong(doc - shardFirstDoc[s]);
    }

    /** Global token offset at which document {@code doc} ends (exclusive). */
    public long docEnd(long doc) {
        Objects.checkIndex(doc, numDocs);
        int s = shardOfDoc(doc);
        return shardFirstToken[s] + docs[s].getLong(doc - shardFirstDoc[s] + 1);
    }

    /** The document holding the token at global offset {@code i}. */
    public long docOf(long i) {
        Objects.checkIndex(i, size);
        int s = shardOf(i);
        MappedArray d = docs[s];
        long local = i - shardFirstToken[s];
        long lo = 0, hi = d.length - 2; // documents 0 .. D-1
        while (lo < hi) {
            long mid = (lo + hi + 1) >>> 1;
            if (d.getLong(mid) <= local) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return shardFirstDoc[s] + lo;
    }

    private int shardOfDoc(long doc) {
        return RunStarts.runOf(shardFirstDoc, 0, shardFirstDoc.length - 1, doc);
    }

    private int shardOf(long token) {
        return RunStarts.runOf(shardFirstToken, 0, shardFirstToken.length - 1, token);
    }

    public int vocabSize() {
        return vocabSize;
    }

    public TokenDtype dtype() {
        return dtype;
    }

    public SplitMeta meta() {
        return meta;
    }

    public Path splitDir() {
        return splitDir;
    }

    /** Number of shards. */
    public int numShards() {
        return tokens.length;
    }

    Path tokensFile(int shard) {
        return tokenFiles[shard];
    }

    Path docsFile(int shard) {
        return docFiles[shard];
    }

    MappedArray docIndex(int shard) {
        return docs[shard];
    }

    long shardFirstToken(int shard) {
        return shardFirstToken[shard];
    }

    /** Number of mappings (for tests of the mapping-size limit). */
    int numMappings() {
        return segStart.length - 1;
    }

    @Override
    public void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "TokenStore[" + splitDir + ", " + size + " tokens, " + numDocs + " docs, " + tokens.length + " shards]";
    }

    static List<Path> allFiles(TokenStore t) {
        List<Path> out = new ArrayList<>();
        for (int s = 0; s < t.tokens.length; s++) {
            out.add(t.tokenFiles[s]);
            out.add(t.docFiles[s]);
        }
        return out;
    }
}
