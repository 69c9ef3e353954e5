package org.lmshards.core;

import java.io.IOException;

/**
 * A dataset file (token shard, document index, {@code meta.json}, {@code vocab.json},
 * {@code _SUCCESS}) is missing or malformed. The message is {@code "<file>: <problem>"}.
 */
public class ShardFormatException extends IOException implements BadInput {
    private final String file;
    private final String problem;

    public ShardFormatException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public ShardFormatException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The offending file (a path as given to the reader). */
    public String file() {
        return file;
    }

    /** What is wrong with it. */
    public String problem() {
        return problem;
    }
}
