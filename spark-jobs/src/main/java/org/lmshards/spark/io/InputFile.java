package org.lmshards.spark.io;

import java.io.Serializable;

/** One input CSV: fully qualified URI, size in bytes, modification time in ms (the source fingerprint). */
public record InputFile(String path, long size, long modified) implements Serializable {
}
