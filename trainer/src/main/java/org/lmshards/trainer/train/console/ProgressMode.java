package org.lmshards.trainer.train.console;

/** How a long pass over batches shows its progress. */
public enum ProgressMode {
    /** A progress bar redrawn in place: for a terminal. */
    BAR,
    /** A plain line every 10 % (or 5 minutes): for a log file or a pipe. */
    LINES,
    /** Nothing. */
    NONE;

    /** {@link #BAR} when the process runs on a terminal, else {@link #LINES}; {@link #NONE} when {@code quiet}. */
    public static ProgressMode forConsole(boolean quiet) {
        return quiet ? NONE : System.console() != null ? BAR : LINES;
    }
}
