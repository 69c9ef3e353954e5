package org.lmshards.trainer.train.rundir;

import java.io.IOException;

import org.lmshards.core.BadInput;

/** A run directory's file ({@code model.zip}, {@code config.json}) is missing or unreadable as such; the message is {@code "<file>: <problem>"}. */
public final class DamagedRunFileException extends IOException implements BadInput {
    private static final long serialVersionUID = 1L;

    public DamagedRunFileException(java.nio.file.Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
