package org.lmshards.trainer.data;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's memory as the iterator's memory benchmark and load tests report it: Java heap in
 * use after a full GC, and the resident anonymous memory ({@code RssAnon} of
 * {@code /proc/self/status}: heap, native allocations and thread stacks, but not the page cache
 * holding the mapped shards, which the kernel counts as {@code RssFile}).
 *
 * @param heapAfterGc bytes of heap in use after {@link System#gc()}
 * @param rssAnon     anonymous resident bytes, -1 where {@code /proc} is unavailable
 * @param rssFile     file-backed resident bytes (the mapped shards in the page cache), -1 where unavailable
 */
public record MemoryProbe(long heapAfterGc, long rssAnon, long rssFile) {

    /** Collects garbage, then samples. */
    public static MemoryProbe sample() {
        for (int i = 0; i < 3; i++) {
            System.gc(); // several calls: the first may only queue references for finalization/cleaning
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new MemoryProbe(heap, procStatusBytes("RssAnon:"), procStatusBytes("RssFile:"));
    }

    /** A field of {@code /proc/self/status} in bytes (the kernel reports kB), or -1. */
    static long procStatusBytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    String v = line.substring(field.length()).trim();
                    return Long.parseLong(v.substring(0, v.indexOf(' '))) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
