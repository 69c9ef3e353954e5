package org.lmshards.trainer.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.ExitCode;
import org.lmshards.core.io.DirectoryLock;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.testing.ChildProcesses;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.lmshards.trainer.train.rundir.RunLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Issue 25 item 1: no trainer command writes over what it did not create. {@code export --out}
 * refuses an existing file without {@code --force}, and always a non-regular file and a run's or
 * dataset's own files; {@code train}/{@code import}/{@code lr-find --out} write only into a new or
 * empty directory or a run directory (its marker); {@code lr-find} takes the run lock; the
 * temporaries a killed command left are removed by the next command on that directory, and a live
 * process's are left alone.
 */
class OutputOwnershipTest {
    @TempDir
    static Path shared;
    static Path data;
    static Path run;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainTinyRun() throws Exception {
        data = shared.resolve("ds");
        TinyRuns.writeDataset(data);
        run = shared.resolve("run");
        TinyRuns.Result r = TinyRuns.cli(train(data, run));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(run.resolve(RunFiles.MARKER)).isRegularFile();
    }

    static List<String> train(Path dataDir, Path out) {
        return TinyRuns.train(dataDir, out, "--epochs", "1", "--workers", "0");
    }

    private static TinyRuns.Result export(Path out, boolean force) {
        List<String> a = new ArrayList<>(List.of("export", "--model", run.toString(), "--out", out.toString()));
        if (force) {
            a.add("--force");
        }
        return TinyRuns.cli(a);
    }

    @Test
    void exportNeverWritesOverARunsOrADatasetsOwnFilesOrADevice() throws Exception {
        for (Path own : List.of(run.resolve(RunFiles.MODEL), run.resolve(RunFiles.CONFIG), run.resolve(RunFiles.VOCAB),
                data.resolve("vocab.json"), data.resolve("train/meta.json"))) {
            byte[] before = Files.readAllBytes(own);
            for (boolean force : new boolean[] {false, true}) {
                TinyRuns.Result r = export(own, force);
                assertThat(r.code()).as("%s force %s: %s", own, force, r.err()).isEqualTo(ExitCode.USAGE);
                assertThat(r.err()).contains("error: --out " + own).hasLineCount(2);
                assertThat(own).hasBinaryContent(before);
            }
        }
        DatasetVerifier.verify(data);
        // A device (as root, export used to replace /dev/null by a file) and a directory.
        Path devNull = Path.of("/dev/null");
        TinyRuns.Result r = export(devNull, true);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("/dev/null is not a regular file");
        assertThat(Files.isRegularFile(devNull)).isFalse();
        assertThat(export(tmp, true).code()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void exportReplacesAnExistingFileOnlyWithForce() throws Exception {
        Path npz = tmp.resolve("model.npz");
        Files.writeString(npz, "a user's file");
        TinyRuns.Result refused = export(npz, false);
        assertThat(refused.code()).isEqualTo(ExitCode.USAGE);
        assertThat(refused.err()).contains("--out " + npz + " exists; pass --force to replace it");
        assertThat(npz).hasContent("a user's file");
        TinyRuns.Result forced = export(npz, true);
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(Files.size(npz)).isGreaterThan(1000);
        // a run directory's own name is refused, any other name in it is fine
        TinyRuns.Result beside = export(run.resolve("model.npz"), false);
        assertThat(beside.code()).as(beside.err()).isZero();
        Files.delete(run.resolve("model.npz"));
    }

    @Test
    void trainImportAndLrFindRefuseADirectoryThatIsNoRun() throws Exception {
        Path users = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(users.resolve("config.json"), "{\"mine\": true}");
        Path npz = tmp.resolve("m.npz");
        assertThat(export(npz, false).code()).isZero();
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        for (Path out : List.of(users, data, file)) {
            List<List<String>> commands = List.of(train(data, out),
                    List.of("import", "--npz", npz.toString(), "--out", out.toString()),
                    List.of("lr-find", "--data", data.toString(), "--out", out.toString(), "--bs", "4", "--seq-len", "12",
                            "--emb", "8", "--hidden", "12", "--layers", "2", "--iterations", "5"));
            for (List<String> command : commands) {
                TinyRuns.Result r = TinyRuns.cli(command);
                assertThat(r.code()).as("%s on %s: %s", command.get(0), out, r.err()).isEqualTo(ExitCode.USAGE);
                assertThat(r.err()).contains("error: --out " + out);
            }
        }
        assertThat(users.resolve("config.json")).hasContent("{\"mine\": true}");
        try (var s = Files.list(users)) {
            assertThat(s.toList()).hasSize(1);
        }
        assertThat(file).hasContent("x");
        DatasetVerifier.verify(data);
        // An empty directory is fine, and becomes a run.
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        TinyRuns.Result imported = TinyRuns.cli(List.of("import", "--npz", npz.toString(), "--out",
                empty.toString()));
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(empty.resolve(RunFiles.MARKER)).isRegularFile();
    }

    @SuppressWarnings("try") // the lock is held, not used
    @Test
    void lrFindTakesTheRunLock() throws Exception {
        Path target = tmp.resolve("training");
        try (DirectoryLock held = RunLock.forTraining(target)) {
            TinyRuns.Result r = TinyRuns.cli(List.of("lr-find", "--data", data.toString(), "--out",
                    target.toString(), "--bs", "4", "--seq-len", "12", "--emb", "8", "--hidden", "12", "--layers", "2",
                    "--iterations", "5"));
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.INTERNAL);
            assertThat(r.err()).contains("is being written by another train").contains("pid " + ProcessHandle.current().pid());
        }
        assertThat(target).doesNotExist();
    }

    /** {@code kill -9} during {@code export}: the half-written temporary is removed by the next export. */
    @Test
    void aKilledExportsTemporaryIsRemovedByTheNextExport() throws Exception {
        Path npz = tmp.resolve("m.npz");
        Path log = tmp.resolve("export.log");
        Path paused = tmp.resolve("paused");
        Process p = TrainerCrashTest.child(log, ChildProcesses.pauseAt("writing-m.npz", paused),
                List.of("export", "--model", run.toString(), "--out", npz.toString()));
        try {
            ChildProcesses.awaitFile(p, paused, log);
            assertThat(ChildProcesses.kill(p)).isEqualTo(137);
        } finally {
            p.destroyForcibly();
        }
        Path dead = tmp.resolve(".m.npz.tmp-" + p.pid());
        assertThat(dead).exists();
        assertThat(npz).doesNotExist();
        // pid 1 is always alive (and not this JVM, whose own temporary name the export itself uses)
        Path live = Files.writeString(tmp.resolve(".m.npz.tmp-1"), "a live writer's");
        TinyRuns.Result r = export(npz, false);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(dead).doesNotExist();
        assertThat(live).as("a live process's temporary is left alone").exists();
    }

    /** A second Ctrl-C while the checkpoint is written halts at once; the next train removes the temporary. */
    @Test
    void aDoubleCtrlCsTemporaryIsRemovedByTheNextTrain() throws Exception {
        assumeFalse(ChildProcesses.sigintIgnored(), "SIGINT is ignored in this environment (a background job"
                + " without job control): a child JVM inherits that and cannot see a Ctrl-C");
        Path out = tmp.resolve("run");
        Path log = tmp.resolve("train.log");
        Path paused = tmp.resolve("paused");
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(ChildProcesses.pauseAt("writing-checkpoint.zip", paused));
        Process p = TrainerCrashTest.child(log, jvm, train(data, out));
        try {
            ChildProcesses.awaitFile(p, paused, log);
            sigint(p);
            ChildProcesses.awaitLogLine(p, log, "SIGINT: stopping after the current batch");
            sigint(p);
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(ChildProcesses.tail(log)).isEqualTo(130);
        } finally {
            p.destroyForcibly();
        }
        Path dead = out.resolve(".checkpoint.zip.tmp-" + p.pid());
        assertThat(dead).exists();
        assertThat(out.resolve(RunFiles.CHECKPOINT)).doesNotExist();
        TinyRuns.Result r = TinyRuns.cli(train(data, out));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(dead).doesNotExist();
        assertThat(out.resolve(RunFiles.MODEL)).isRegularFile();
    }

    private static void sigint(Process p) throws Exception {
        assertThat(new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor()).isZero();
    }
}
