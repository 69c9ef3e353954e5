package org.lmshards.trainer.cli;

import picocli.CommandLine;

/**
 * Turns an exception escaping a command into one clear line on stderr (the stack trace only
 * with {@code LMSHARDS_DEBUG=1}) and the documented exit code.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        cl.getErr().println("error: " + describe(ex));
        if ("1".equals(System.getenv("LMSHARDS_DEBUG"))) {
            ex.printStackTrace(cl.getErr());
        }
        cl.getErr().flush();
        return ExitCodes.forException(ex);
    }

    static String describe(Throwable t) {
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = t.getClass().getSimpleName();
        }
        return msg;
    }
}
