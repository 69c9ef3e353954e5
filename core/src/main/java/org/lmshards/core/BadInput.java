package org.lmshards.core;

/**
 * Marker for failures caused by the user's input (a malformed file, a corrupt dataset, an
 * unknown column), as opposed to bugs or environment problems. Command-line tools map it to
 * the "bad input" exit code.
 */
public interface BadInput {
}
