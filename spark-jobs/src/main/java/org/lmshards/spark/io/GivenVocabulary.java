package org.lmshards.spark.io;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.tokenize.SpecialTokens;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.spark.support.BadInputException;

/**
 * The vocabulary of {@code --vocab}: a {@code vocab.json} on any Hadoop filesystem, its bytes
 * (the dataset's copy), their SHA-256 (the fingerprint the cache check compares, the same as
 * {@code sha256sum} prints) and the parsed {@link Vocabulary}, validated as every reader
 * validates it (special tokens at ids 0-8, no duplicate token).
 */
public final class GivenVocabulary {
    /** Far above any real vocabulary (60 000 tokens take about 1 MB): a larger file is a wrong path, not worth reading. */
    static final long MAX_BYTES = 256L << 20;

    private final InputFile file;
    private final byte[] bytes;
    private final String sha256;
    private final Vocabulary vocab;

    private GivenVocabulary(InputFile file, byte[] bytes, Vocabulary vocab) {
        this.file = file;
        this.bytes = bytes;
        this.sha256 = sha256(bytes);
        this.vocab = vocab;
    }

    /** Reads and validates {@code spec}; a missing, oversized or malformed file is a {@link BadInputException} naming it. */
    public static GivenVocabulary read(String spec, Configuration conf) throws IOException {
        Path path = new Path(spec);
        FileSystem fs = CrcFreeFileSystem.of(path, conf);
        FileStatus st;
        try {
            st = fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw new BadInputException("--vocab " + spec + ": no such file");
        }
        String uri = st.getPath().toString();
        if (!st.isFile()) {
            throw new BadInputException("--vocab " + uri + ": not a file (give the vocab.json of a dataset)");
        }
        if (st.getLen() > MAX_BYTES) {
            throw new BadInputException("--vocab " + uri + ": " + st.getLen() + " bytes, too large for a vocab.json (at most "
                    + MAX_BYTES + ")");
        }
        byte[] bytes;
        try (InputStream in = fs.open(st.getPath())) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new FileIoError(uri, "cannot read the vocabulary", e);
        }
        Vocabulary vocab;
        try {
            vocab = Vocabulary.read(new ByteArrayInputStream(bytes), uri);
        } catch (org.lmshards.core.ShardFormatException e) {
            throw new BadInputException("--vocab " + e.getMessage());
        }
        return new GivenVocabulary(new InputFile(uri, st.getLen(), st.getModificationTime()), bytes, vocab);
    }

    /** The file, its fully qualified URI as the job read it. */
    public InputFile file() {
        return file;
    }

    /** The file's content, unchanged: the dataset's {@code vocab.json} when nothing is added. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** SHA-256 of the file's bytes, lowercase hex. */
    public String sha256() {
        return sha256;
    }

    public Vocabulary vocab() {
        return vocab;
    }

    /** {@code meta.json}'s {@code vocab_source}: where the vocabulary came from, and what this build made of it. */
    public Map<String, Object> source(Vocabulary used) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", file.path());
        m.put("sha256", sha256);
        m.put("size", vocab.size());
        m.put("added_tokens", addedTokens(used));
        return m;
    }

    /** The tokens {@code used} has beyond the given vocabulary (its itos is a prefix of {@code used}'s), padding not counted. */
    public long addedTokens(Vocabulary used) {
        return used.itos().subList(vocab.size(), used.size()).stream().filter(t -> !t.equals(SpecialTokens.FAKE)).count();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
