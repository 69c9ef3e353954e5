package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.zip.ZipException;

import org.junit.jupiter.api.Test;
import org.lmshards.core.ShardFormatException;
import org.lmshards.core.io.DirectoryLock;
import org.lmshards.core.io.StableRead;
import org.lmshards.trainer.train.rundir.DamagedRunFileException;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 18 item 7: only data at fault is exit 3; the environment's I/O failures are exit 1. */
class ExitCodesTest {
    @Test
    void dataThatDoesNotParseIsBadInput() {
        assertThat(ExitCodes.forException(new ShardFormatException("f", "truncated"))).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(ExitCodes.forException(new DamagedRunFileException(Path.of("model.zip"), "damaged", null)))
                .isEqualTo(ExitCode.BAD_INPUT);
        assertThat(ExitCodes.forException(new IOException("checkpoint.zip: damaged", new ZipException("bad CEN"))))
                .isEqualTo(ExitCode.BAD_INPUT);
        assertThat(ExitCodes.forException(new EOFException())).isEqualTo(ExitCode.BAD_INPUT);
    }

    @Test
    void environmentFailuresAreExitOne() {
        assertThat(ExitCodes.forException(new IOException("f: cannot write (No space left on device)",
                new IOException("No space left on device")))).isEqualTo(ExitCode.INTERNAL);
        assertThat(ExitCodes.forException(new AccessDeniedException("f"))).isEqualTo(ExitCode.INTERNAL);
        assertThat(ExitCodes.forException(new DirectoryLock.LockBusyException("busy"))).isEqualTo(ExitCode.INTERNAL);
        assertThat(ExitCodes.forException(new StableRead.ChangedWhileReadingException("changed")))
                .isEqualTo(ExitCode.INTERNAL);
    }
}
