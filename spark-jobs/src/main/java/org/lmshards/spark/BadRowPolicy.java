package org.lmshards.spark;

/** What to do with a malformed, undecodable or empty row ({@code --on-bad-row}). */
public enum BadRowPolicy { fail, skip }
