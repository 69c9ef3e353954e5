package org.lmshards.trainer.backend;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/** The CPU's feature flags as {@code /proc/cpuinfo} lists them (its first {@code flags} line). */
final class CpuFlags {
    private CpuFlags() {
    }

    /** The flags of {@code cpuinfo}'s first {@code flags} line; empty when there is none. */
    static Optional<Set<String>> of(Optional<String> cpuinfo) {
        return cpuinfo.flatMap(text -> text.lines().filter(l -> l.startsWith("flags")).findFirst())
                .map(l -> Set.copyOf(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+")))); // copyOf: a repeated flag is no error
    }
}
