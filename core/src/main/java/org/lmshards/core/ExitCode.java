package org.lmshards.core;

/**
 * The process exit codes of every lmshards program ({@code ./submit.sh} and the Spark job,
 * {@code trainer.jar}), so that one workflow can branch on all of them; the README's table
 * documents them. Each program maps its own exceptions onto these.
 */
public final class ExitCode {
    /** Success (for the Spark job also a cache hit). */
    public static final int OK = 0;
    /** Internal failure: a bug or an environment problem (a full disk, no permission, a held lock). */
    public static final int INTERNAL = 1;
    /** Bad command line. */
    public static final int USAGE = 2;
    /** Bad input: a malformed, corrupt or mismatched dataset, model, file or row. */
    public static final int BAD_INPUT = 3;
    /** Training stopped by SIGINT (Ctrl-C) after writing a checkpoint: 128 + 2. */
    public static final int INTERRUPTED = 130;
    /** Training stopped by SIGTERM after writing a checkpoint: 128 + 15. */
    public static final int TERMINATED = 143;

    private ExitCode() {
    }
}
