package org.lmshards.spark.store;

import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The job against a real HDFS: a MiniDFSCluster (a NameNode and two DataNodes) on loopback. */
class HdfsStoreIT extends StoreContract {
    @TempDir
    static Path tmp;
    static MiniDFSCluster cluster;
    static FileSystem fs;
    static StoreScenarios scenarios;

    @BeforeAll
    static void startHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(2).build();
        cluster.waitActive();
        fs = cluster.getFileSystem();
        scenarios = new StoreScenarios(fs, new org.apache.hadoop.fs.Path(fs.getUri() + "/it"), List.of(), tmp);
        scenarios.setUp();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    @Override
    StoreScenarios scenarios() {
        return scenarios;
    }
}
