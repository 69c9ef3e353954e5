package org.lmshards.core.shard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One input file of the source fingerprint in {@code meta.json}.
 *
 * @param path     fully qualified URI the job read
 * @param size     bytes
 * @param modified milliseconds since the epoch
 */
public record SourceFile(String path, long size, long modified) {

    /** The {@code source} object of meta.json: {@code {"files": [{path, size, modified}, ...]}}. */
    public static Map<String, Object> fingerprint(List<SourceFile> files) {
        List<Map<String, Object>> list = files.stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", f.path());
            m.put("size", f.size());
            m.put("modified", f.modified());
            return m;
        }).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("files", list);
        return out;
    }
}
