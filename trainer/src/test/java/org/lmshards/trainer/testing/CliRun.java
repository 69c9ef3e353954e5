package org.lmshards.trainer.testing;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.lmshards.trainer.cli.LmShardsCli;
import picocli.CommandLine;

/** Runs the trainer CLI ({@code trainer.jar}'s commands) in this JVM, capturing what it prints. */
public final class CliRun {
    private CliRun() {
    }

    /** A finished command: exit code and what it wrote to its out and err streams. */
    public record Result(int code, String out, String err) {
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = LmShardsCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
