package org.lmshards.trainer.remote;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

/**
 * Hadoop settings the Hadoop way: {@code core-site.xml} and {@code hdfs-site.xml} of
 * {@code $HADOOP_CONF_DIR} (the directory the {@code hadoop} scripts put on the classpath), then
 * {@code -Dspark.hadoop.KEY=VALUE} JVM options (the form the Spark job takes), then {@code --conf
 * KEY=VALUE} options, each overriding the one before.
 */
public final class HadoopSettings {
    private HadoopSettings() {
    }

    public static Configuration load(Map<String, String> env, Map<String, String> overrides) {
        Configuration conf = new Configuration();
        String dir = env.get("HADOOP_CONF_DIR");
        if (dir != null && !dir.isBlank()) {
            for (String name : new String[] {"core-site.xml", "hdfs-site.xml"}) {
                Path f = Path.of(dir, name);
                if (Files.isRegularFile(f)) {
                    conf.addResource(new org.apache.hadoop.fs.Path(f.toUri()));
                }
            }
        }
        System.getProperties().forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith("spark.hadoop.")) {
                conf.set(key.substring("spark.hadoop.".length()), v.toString());
            }
        });
        overrides.forEach(conf::set);
        return conf;
    }
}
