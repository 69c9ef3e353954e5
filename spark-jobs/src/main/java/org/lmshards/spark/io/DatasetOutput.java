package org.lmshards.spark.io;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.LmShardsVersion;
import org.lmshards.core.shard.DatasetManifest;
import org.lmshards.core.shard.NpyArrayWriter;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.ShardMeta;
import org.lmshards.core.shard.TokenDtype;
import org.lmshards.spark.csv.RejectBatch;
import org.lmshards.spark.csv.RejectSpool;
import org.lmshards.spark.csv.SplitRejects;
import org.lmshards.spark.shard.ShardCommitter;
import org.lmshards.spark.shard.ShardPlan;
import org.lmshards.spark.shard.ShardResult;
import org.lmshards.spark.support.FaultInjection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of {@code --output}: its lock, its generations, the manifest and the cleanup
 * (docs/SPARK.md, "Commit protocol"; the layout is docs/FORMAT.md's format 2). No directory is
 * ever renamed, so the commit is atomic on object stores too:
 * <ol>
 *   <li>{@link #claim}: the output must be replaceable ({@link OutputGuard}); the lock is taken;
 *       generations that no manifest publishes (a killed build's) are deleted;</li>
 *   <li>{@link #begin}: a new generation directory {@code gen-N} (N above every generation seen);
 *       the build hands it files ({@link #writeFile}, {@link #commitShards},
 *       {@link #writeRejects}); each is recorded with its size and CRC32C;</li>
 *   <li>{@link #publish}: {@code manifest-N.json}, listing every file, is written as one file:
 *       a single PUT on an object store, a create then a rename of that one file elsewhere.
 *       Readers take the highest-numbered manifest, so this is the commit;</li>
 *   <li>then the generations older than the one just replaced are deleted (manifest first):
 *       the replaced generation stays for readers that opened it before the commit, until the
 *       next build;</li>
 *   <li>on a failure before the manifest only the new generation goes ({@link #abandon}).</li>
 * </ol>
 */
public final class DatasetOutput implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetOutput.class);
    /** Directories of a generation that task attempts write into, each behind a {@link StagingFence}. */
    private static final List<String> FENCED_PREFIXES = List.of("_temporary-", "_rejects-");
    /** Schemes whose create is one PUT that appears whole on close, and whose rename is a copy. */
    private static final Set<String> OBJECT_STORES = Set.of("s3a", "s3", "gs", "oss", "cosn", "obs");

    private final FileSystem fs;
    private final Path output;
    private final List<InputFile> inputs;
    private final String runId;
    private OutputLock lock;
    /** Whether --output existed before this run (if not, a failed first build removes it again). */
    private boolean outputExisted;
    /** Set once the manifest exists: from then on the generation is the dataset and a failure must not touch it. */
    private boolean published;
    private long generation = -1;
    private Path genDir;
    private final List<DatasetManifest.Entry> files = new ArrayList<>();

    private DatasetOutput(FileSystem fs, Path output, List<InputFile> inputs, String runId) {
        this.fs = fs;
        this.output = output;
        this.inputs = inputs;
        this.runId = runId;
    }

    /** A published generation: its directory and manifest. */
    public record Published(Path root, DatasetManifest manifest, Path manifestFile) {
    }

    /**
     * Checks that the output may be replaced, takes its lock and deletes what killed runs left:
     * unpublished generations, a half-written manifest, the staging and set-aside directories of
     * format-1 builds (a complete set-aside dataset is put back first if the output is gone).
     *
     * @param inputs files the run reads, which must never be inside the output
     */
    public static DatasetOutput claim(String output, String runId, Collection<InputFile> inputs, Configuration conf)
            throws IOException {
        Path path = new Path(output);
        FileSystem fs = CrcFreeFileSystem.of(path, conf);
        DatasetOutput out = new DatasetOutput(fs, fs.makeQualified(path), List.copyOf(inputs), runId);
        OutputGuard.requireReplaceable(fs, out.output, out.inputs);
        out.lock = OutputLock.acquire(fs, out.output);
        out.outputExisted = fs.exists(out.output);
        try {
            FaultInjection.haltPoint("locked");
            out.recover();
            return out;
        } catch (IOException | RuntimeException e) {
            out.lock.close();
            throw e;
        }
    }

    public FileSystem fs() {
        return fs;
    }

    /** The output, fully qualified. */
    public Path output() {
        return output;
    }

    /** The generation being built ({@link #begin}). */
    public Path generationDir() {
        return genDir;
    }

    /** The current generation, or null when the output has no manifest. */
    public Published current() throws IOException {
        return current(fs, output);
    }

    /** The highest-numbered manifest of {@code dir} and its generation, or null. */
    public static Published current(FileSystem fs, Path dir) throws IOException {
        long best = -1;
        Path found = null;
        for (FileStatus st : list(fs, dir)) {
            OptionalLong g = DatasetManifest.generationOfManifest(st.getPath().getName());
            if (st.isFile() && g.isPresent() && g.getAsLong() > best) {
                best = g.getAsLong();
                found = st.getPath();
            }
        }
        if (found == null) {
            return null;
        }
        DatasetManifest m;
        try (InputStream in = fs.open(found)) {
            m = DatasetManifest.read(in, found.toString());
        }
        return new Published(new Path(dir, m.directory()), m, found);
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        try {
            return fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return new FileStatus[0];
        }
    }

    /** Deletes generations without a manifest and temporary manifests; restores or deletes format-1 leftovers. */
    private void recover() throws IOException {
        restoreFormat1Leftovers();
        for (FileStatus st : list(fs, output)) {
            String name = st.getPath().getName();
            OptionalLong g = DatasetManifest.generationOfDirectory(name);
            boolean unpublished = st.isDirectory() && g.isPresent()
                    && !fs.exists(new Path(output, DatasetManifest.fileName(g.getAsLong())));
            boolean tmpManifest = name.startsWith(".manifest-") && name.endsWith(".tmp");
            if (unpublished || tmpManifest) {
                LOG.info("Deleting {}, left unpublished by an interrupted run", st.getPath());
                fs.delete(st.getPath(), true);
            }
        }
    }

    /** The sibling directories that format-1 builds (rename-based) left when killed. */
    private void restoreFormat1Leftovers() throws IOException {
        String prefix = "." + output.getName() + ".";
        FileStatus[] siblings;
        try {
            siblings = fs.listStatus(output.getParent(),
                    p -> p.getName().startsWith(prefix + "staging-") || p.getName().startsWith(prefix + "old-"));
        } catch (FileNotFoundException e) {
            return; // no parent yet (an object store has no empty directories): nothing left by anyone
        }
        if (!fs.exists(output)) {
            for (FileStatus s : siblings) {
                if (s.getPath().getName().startsWith(prefix + "old-") && fs.exists(new Path(s.getPath(), ShardLayout.SUCCESS))) {
                    LOG.warn("Restoring the dataset {} that an interrupted run had moved aside", s.getPath());
                    if (!fs.rename(s.getPath(), output)) {
                        throw new IOException("cannot restore " + s.getPath() + " to " + output);
                    }
                    break;
                }
            }
        }
        for (FileStatus s : siblings) {
            if (fs.exists(s.getPath())) {
                LOG.info("Deleting {} left by an interrupted run", s.getPath());
                fs.delete(s.getPath(), true);
            }
        }
    }

    /** Creates the directory of the next generation, numbered above every manifest and generation directory present. */
    public void begin() throws IOException {
        long max = 0;
        for (FileStatus st : list(fs, output)) {
            String name = st.getPath().getName();
            max = Math.max(max, DatasetManifest.generationOfManifest(name).orElse(0));
            max = Math.max(max, DatasetManifest.generationOfDirectory(name).orElse(0));
        }
        generation = max + 1;
        genDir = new Path(output, DatasetManifest.directoryName(generation));
        fs.mkdirs(genDir);
        LOG.info("Writing generation {} of {} ({})", generation, output, runId);
    }

    /** The fenced directory a split's shard-writing attempts write into. */
    public Path openTaskDir(String split) throws IOException {
        Path dir = new Path(genDir, "_temporary-" + split);
        StagingFence.open(fs, dir);
        return dir;
    }

    /** The fenced directory a split's tokenize tasks spool rejected rows into. */
    public Path openSpoolDir(String split) throws IOException {
        Path dir = spoolDir(split);
        StagingFence.open(fs, dir);
        return dir;
    }

    private Path spoolDir(String split) {
        return new Path(genDir, "_rejects-" + split);
    }

    /**
     * Writes a file of the generation ({@code vocab.json}, {@code train/meta.json}) and records it.
     * Written in place: nobody reads a generation before its manifest exists.
     */
    public void writeFile(String relative, byte[] content) throws IOException {
        Path target = new Path(genDir, relative);
        try (OutputStream out = fs.create(target, true)) {
            out.write(content);
        } catch (IOException e) {
            throw new FileIoError(target.toString(), "cannot write", e);
        }
        CRC32C crc = new CRC32C();
        crc.update(content);
        files.add(new DatasetManifest.Entry(relative, content.length, crc.getValue()));
    }

    /**
     * Keeps one attempt per shard ({@link ShardCommitter#choose}), renames its two files to the
     * shard names in the split's directory (file renames inside an unpublished generation; on an
     * object store each is a server-side copy), records them, and deletes the task directory with
     * whatever the other attempts wrote.
     */
    public List<ShardMeta> commitShards(String split, Path taskDir, ShardPlan plan, TokenDtype dtype,
                                        Collection<ShardResult> results) throws IOException {
        List<ShardResult> chosen = ShardCommitter.choose(plan, results);
        Path splitDir = new Path(genDir, split);
        fs.mkdirs(splitDir);
        List<ShardMeta> metas = new ArrayList<>();
        for (ShardResult r : chosen) {
            int i = r.shard();
            LOG.debug("Shard {} of {}: committing attempt {}", i, split, r.attempt());
            String tokens = ShardLayout.tokensFile(i);
            String docs = ShardLayout.docsFile(i);
            rename(new Path(r.tmpTokens()), new Path(splitDir, tokens));
            rename(new Path(r.tmpDocs()), new Path(splitDir, docs));
            files.add(new DatasetManifest.Entry(split + "/" + tokens, NpyArrayWriter.fileSize(dtype.npy(), r.numTokens()),
                    r.tokensCrc32c()));
            files.add(new DatasetManifest.Entry(split + "/" + docs, NpyArrayWriter.fileSize(ShardLayout.DOCS_DTYPE, r.numDocs() + 1),
                    r.docsCrc32c()));
            if (i == 0) {
                FaultInjection.haltPoint("first-shard-committed");
            }
            metas.add(new ShardMeta(i, tokens, docs, r.numTokens(), r.numDocs(), plan.firstDoc(i), plan.firstToken(i),
                    r.tokensCrc32c(), r.docsCrc32c()));
        }
        FaultInjection.haltPoint("shards-committed");
        StagingFence.close(fs, taskDir);
        if (!fs.delete(taskDir, true) && fs.exists(taskDir)) {
            throw new IOException("cannot delete the temporary directory " + taskDir);
        }
        return metas;
    }

    private void rename(Path from, Path to) throws IOException {
        if (fs.exists(to)) {
            throw new IOException("cannot commit " + from + ": " + to + " already exists");
        }
        if (!fs.rename(from, to)) {
            throw new IOException("cannot rename " + from + " to " + to);
        }
    }

    /**
     * Closes the split's spool directory; when there are rejects, streams the spool files into
     * {@code rejects/<split>.csv} in input order (bounded driver memory whatever the number of
     * rows) and records it; then deletes the spool directory.
     */
    public void writeRejects(String split, SplitRejects rejects) throws IOException {
        Path spool = spoolDir(split);
        StagingFence.close(fs, spool);
        if (rejects.count() > 0) {
            String relative = ShardLayout.REJECTS + "/" + split + ".csv";
            Path target = new Path(genDir, relative);
            CRC32C crc = new CRC32C();
            long size;
            try (CountingOutputStream counted = new CountingOutputStream(fs.create(target, true));
                 OutputStream out = new CheckedOutputStream(counted, crc)) {
                out.write(RejectSpool.HEADER.getBytes(StandardCharsets.UTF_8));
                for (RejectBatch b : rejects.batches()) {
                    try (InputStream in = fs.open(new Path(b.file()))) {
                        in.transferTo(out);
                    }
                }
                out.flush();
                size = counted.count;
            } catch (IOException e) {
                throw new FileIoError(target.toString(), "cannot write the rejected rows", e);
            }
            files.add(new DatasetManifest.Entry(relative, size, crc.getValue()));
            LOG.warn("{}: {} row(s) rejected, listed in rejects/{}.csv", split, rejects.count(), split);
        }
        fs.delete(spool, true);
    }

    /**
     * Publishes the generation: checks once more that the output may be replaced (files may have
     * been added while the job ran), writes its manifest (the commit), then deletes the
     * generations older than the one it replaces.
     */
    public void publish() throws IOException {
        OutputGuard.requireReplaceable(fs, output, inputs);
        Published previous = current();
        boolean format1 = previous == null && fs.exists(new Path(output, ShardLayout.SUCCESS));
        DatasetManifest manifest = DatasetManifest.of(generation, files, Instant.now().toString(), LmShardsVersion.get());
        writeManifest(new Path(output, DatasetManifest.fileName(generation)), manifest.toJson());
        published = true;
        FaultInjection.haltPoint("published");
        deleteOlderThan(previous == null ? (format1 ? 0 : generation) : previous.manifest().generation());
        FaultInjection.haltPoint("cleaned");
    }

    /** One file that appears whole: a single PUT on an object store, else a temporary file renamed to a free name. */
    private void writeManifest(Path target, byte[] json) throws IOException {
        if (OBJECT_STORES.contains(fs.getUri().getScheme())) {
            try (OutputStream out = fs.create(target, false)) {
                out.write(json);
            } catch (IOException e) {
                throw new FileIoError(target.toString(), "cannot write", e);
            }
            return;
        }
        Path tmp = new Path(output, "." + target.getName() + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(json);
        } catch (IOException e) {
            throw new FileIoError(tmp.toString(), "cannot write", e);
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }

    /**
     * Deletes every generation older than {@code keep} (its manifest first, so that no reader
     * picks a manifest whose files are going), and the format-1 files once a format-2 generation
     * has replaced them ({@code keep > 0}).
     */
    private void deleteOlderThan(long keep) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (FileStatus st : list(fs, output)) {
            String name = st.getPath().getName();
            OptionalLong m = DatasetManifest.generationOfManifest(name);
            OptionalLong g = DatasetManifest.generationOfDirectory(name);
            if (m.isPresent() && m.getAsLong() < keep) {
                fs.delete(st.getPath(), false);
            } else if (g.isPresent() && g.getAsLong() < keep) {
                dirs.add(st.getPath());
            } else if (keep > 0 && g.isEmpty() && m.isEmpty() && isFormat1Entry(name)) {
                dirs.add(st.getPath());
            }
        }
        for (Path d : dirs) {
            LOG.info("Deleting {}, replaced by an earlier build", d);
            fs.delete(d, true);
        }
    }

    /** Names of the format-1 layout at the top of a dataset ({@link OutputGuard} has checked their contents). */
    private static boolean isFormat1Entry(String name) {
        return name.equals(ShardLayout.SUCCESS) || name.equals(ShardLayout.VOCAB) || name.equals(ShardLayout.REJECTS)
                || ShardLayout.isSplitName(name);
    }

    /**
     * After a failure: closes the fences of the directories task attempts write into, so that an
     * attempt Spark is still stopping deletes whatever it creates from now on, waits for such
     * attempts, then deletes the unpublished generation (again if a late file made a pass fail).
     * Problems are added to {@code failure} as suppressed exceptions, never thrown.
     *
     * @param awaitTasks waits for the run's running task attempts; false if some are still running
     */
    public void abandon(Throwable failure, BooleanSupplier awaitTasks) {
        if (genDir == null || published) {
            return;   // nothing written, or the generation is already the dataset (only the cleanup failed)
        }
        boolean drained = false;
        try {
            if (fs.exists(genDir)) {
                for (FileStatus st : fs.listStatus(genDir, p -> FENCED_PREFIXES.stream().anyMatch(p.getName()::startsWith))) {
                    StagingFence.close(fs, st.getPath());
                }
            }
            drained = awaitTasks.getAsBoolean();
            for (int pass = 1; fs.exists(genDir); pass++) {
                if (fs.delete(genDir, true) || !fs.exists(genDir)) {
                    break;
                }
                if (pass == 5) {
                    throw new IOException("cannot delete the unpublished generation " + genDir);
                }
                Thread.sleep(200L * pass);
            }
            fs.delete(new Path(output, "." + DatasetManifest.fileName(generation) + ".tmp"), false);
            if (!outputExisted && fs.exists(output) && fs.listStatus(output).length == 0) {
                fs.delete(output, false);   // a failed first build leaves no output behind
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.addSuppressed(e);
        } catch (IOException cleanup) {
            failure.addSuppressed(cleanup);
            LOG.warn("The unpublished generation {} is left for the next run to delete{}: {}", genDir,
                    drained ? "" : " (task attempts were still running)", cleanup.toString());
        }
    }

    /** Releases the output lock. */
    @Override
    public void close() throws IOException {
        lock.close();
    }

    /** Counts the bytes written through it. */
    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
