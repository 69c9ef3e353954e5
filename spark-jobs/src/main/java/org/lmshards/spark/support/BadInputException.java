package org.lmshards.spark.support;

import org.lmshards.core.BadInput;

/** The job's input is unusable (missing, empty, malformed); maps to exit code 3. */
public class BadInputException extends RuntimeException implements BadInput {
    public BadInputException(String message) {
        super(message);
    }
}
