package org.lmshards.trainer.train.loop;

import java.nio.file.Path;

/** Training stopped on a {@link StopRequest} after writing {@link #checkpoint()}, from which {@code --resume} continues. */
public final class TrainingStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path checkpoint;
    private final transient StopRequest request;

    TrainingStoppedException(StopRequest request, Path checkpoint, int epoch, long batchIndex, long step) {
        super(String.format(java.util.Locale.ROOT, "stopped (%s) at epoch %d, batch %d (step %d); checkpoint %s",
                request.reason(), epoch, batchIndex, step, checkpoint));
        this.request = request;
        this.checkpoint = checkpoint;
    }

    public Path checkpoint() {
        return checkpoint;
    }

    /** The exit code the request asked for (130 for SIGINT, 143 for SIGTERM). */
    public int exitCode() {
        return request.exitCode();
    }
}
