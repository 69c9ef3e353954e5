package org.lmshards.trainer.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One GPU as {@code nvidia-smi --query-gpu=index,uuid,name,compute_cap --format=csv,noheader}
 * lists it; {@code ccMajor}/{@code ccMinor} are -1 where the driver cannot report the compute
 * capability (drivers before 510 lack the {@code compute_cap} field).
 */
record GpuInfo(int index, String uuid, String name, int ccMajor, int ccMinor) {

    /** Whether the compute capability is known. */
    boolean ccKnown() {
        return ccMajor >= 0;
    }

    /** {@code sm_86} style, or {@code sm_?}. */
    String sm() {
        return ccKnown() ? "sm_" + ccMajor + ccMinor : "sm_?";
    }

    /** "GPU 0 NVIDIA A100-SXM4-40GB (compute capability 8.0)". */
    String label() {
        return "GPU " + index + " " + name
                + (ccKnown() ? " (compute capability " + ccMajor + "." + ccMinor + ")" : "");
    }

    /**
     * Parses nvidia-smi's CSV lines (no header). With {@code withComputeCap} the last field is
     * the compute capability. Returns empty when a line does not have the expected shape.
     */
    static Optional<List<GpuInfo>> parse(List<String> lines, boolean withComputeCap) {
        List<GpuInfo> gpus = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            int first = line.indexOf(',');
            int second = first < 0 ? -1 : line.indexOf(',', first + 1);
            if (second < 0) {
                return Optional.empty();
            }
            int index;
            try {
                index = Integer.parseInt(line.substring(0, first).strip());
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            String uuid = line.substring(first + 1, second).strip();
            String rest = line.substring(second + 1);
            int major = -1;
            int minor = -1;
            String name = rest.strip();
            if (withComputeCap) {
                // GPU names contain no commas in practice; the capability is the last field either way.
                int last = rest.lastIndexOf(',');
                if (last < 0) {
                    return Optional.empty();
                }
                name = rest.substring(0, last).strip();
                String cc = rest.substring(last + 1).strip();
                int dot = cc.indexOf('.');
                if (dot > 0) {
                    try {
                        major = Integer.parseInt(cc.substring(0, dot));
                        minor = Integer.parseInt(cc.substring(dot + 1));
                    } catch (NumberFormatException e) {
                        major = -1;
                        minor = -1;
                    }
                }
            }
            gpus.add(new GpuInfo(index, uuid, name, major, minor));
        }
        return Optional.of(gpus);
    }
}
