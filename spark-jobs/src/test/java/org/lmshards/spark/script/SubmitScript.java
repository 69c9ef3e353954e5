package org.lmshards.spark.script;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.lmshards.core.testing.TestData;

/**
 * A copy of {@code submit.sh} with the project's {@code conf/} and parent pom in a fresh
 * directory (no data, no jar unless linked in), run with a clean environment and a {@code mvn}
 * on the PATH that only records that it was called, and its arguments. Public for the tools
 * module's test of the synthetic fallback.
 */
public final class SubmitScript {
    public final Path root;
    /** Written by the stand-in {@code mvn}: its arguments, one line. */
    public final Path mvnCalled;

    /** A finished run: exit code, stdout, stderr. */
    public record Result(int code, String out, String err) {
    }

    public SubmitScript(Path root) throws IOException {
        this.root = root;
        Path project = TestData.projectRoot();
        Files.copy(project.resolve("submit.sh"), root.resolve("submit.sh"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(project.resolve("pom.xml"), root.resolve("pom.xml"));
        Path conf = Files.createDirectories(root.resolve("conf"));
        try (Stream<Path> files = Files.list(project.resolve("conf"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, conf.resolve(f.getFileName()));
            }
        }
        Path bin = Files.createDirectories(root.resolve("fake-bin"));
        mvnCalled = root.resolve("mvn-was-called");
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\necho \"$*\" > '" + mvnCalled + "'\necho 'fake mvn: no build here' >&2\nexit 1\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Links the application jar and its class path file of this build in, as a built checkout has them. */
    public void linkBuiltJar(Path jar, Path classpathFile) throws IOException {
        Path target = Files.createDirectories(root.resolve("spark-jobs/target"));
        Files.createSymbolicLink(target.resolve("lmshards-spark.jar"), jar);
        Files.createSymbolicLink(target.resolve("spark-classpath.txt"), classpathFile);
    }

    /** Links the tools jar of this build (the synthetic corpus generator) in. */
    public void linkToolsJar(Path jar) throws IOException {
        Path target = Files.createDirectories(root.resolve("tools/target"));
        Files.createSymbolicLink(target.resolve("lmshards-tools.jar"), jar);
    }

    public Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("submit.sh").toString()));
        cmd.addAll(List.of(args));
        Path out = root.resolve("stdout.txt");
        Path err = root.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LMSHARDS_") || k.equals("SPARK_HOME"));
        pb.environment().put("PATH", root.resolve("fake-bin") + ":" + System.getenv("PATH"));
        pb.environment().put("LMSHARDS_LOCAL", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("submit.sh did not finish; stderr:\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
