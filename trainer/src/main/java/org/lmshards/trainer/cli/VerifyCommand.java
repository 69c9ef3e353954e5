package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.util.concurrent.Callable;

import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code verify --data DIR}: the full check of a dataset (docs/FORMAT.md, "What a reader
 * checks", plus every checksum, id range and document index). Prints a one-line summary and
 * exits 0 when the dataset is good; otherwise the error names the file and the problem and the
 * exit code is 3 (bad input).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check a dataset completely: layout, headers, counts, every checksum, every id < vocab size, "
                + "every document index. Exit 0 and a one-line summary when good, 3 and the reason otherwise.")
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR|URI",
            description = "the dataset directory, or a Hadoop URI (hdfs://, s3a://) copied into --cache-dir first")
    String data;

    @Mixin
    DataOptions dataOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        VerifyReport report = DatasetVerifier.verify(dataOptions.localize(data));
        spec.commandLine().getOut().println(data + ": " + report.summary());
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
