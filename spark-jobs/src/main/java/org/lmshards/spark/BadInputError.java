package org.lmshards.spark;

import org.lmshards.core.BadInputException;

/** The job's input is unusable (missing, empty, malformed); maps to exit code 3. */
public class BadInputError extends RuntimeException implements BadInputException {
    public BadInputError(String message) {
        super(message);
    }
}
