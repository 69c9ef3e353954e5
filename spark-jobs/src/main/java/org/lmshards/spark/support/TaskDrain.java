package org.lmshards.spark.support;

import java.time.Duration;

import org.apache.spark.JobExecutionStatus;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaSparkStatusTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until no task attempt of a job group is still running. A Spark action returns (or
 * throws) as soon as each partition has one result (or one fatal failure); attempts it no
 * longer needs (the loser of a speculative pair, the siblings of a failed task) are only
 * asked to stop and may still be writing into the temporary directory. The driver drains them
 * before it deletes that directory, so that nothing recreates a file in it afterwards.
 *
 * <p>Reads Spark's status tracker, which the listener bus updates asynchronously: a job counts
 * as settled once the tracker has seen it end (its end event follows every start event of its
 * tasks) and its stages report no active task.
 */
public final class TaskDrain {
    private static final Logger LOG = LoggerFactory.getLogger(TaskDrain.class);
    private static final long POLL_MILLIS = 50;

    private TaskDrain() {
    }

    /** Returns true when every job of {@code group} has ended with no running attempt; false on timeout. */
    public static boolean await(JavaSparkContext jsc, String group, Duration timeout) {
        JavaSparkStatusTracker tracker = jsc.statusTracker();
        long deadline = System.nanoTime() + timeout.toNanos();
        int running;
        while ((running = runningAttempts(tracker, group)) != 0) {
            if (System.nanoTime() > deadline) {
                LOG.warn("{} task attempt(s) of job group {} still running after {} s", running == Integer.MAX_VALUE ? "some" : running,
                        group, timeout.toSeconds());
                return false;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Running attempts of the group's jobs; {@code Integer.MAX_VALUE} while a job has not been seen to end. */
    private static int runningAttempts(JavaSparkStatusTracker tracker, String group) {
        int running = 0;
        for (int jobId : tracker.getJobIdsForGroup(group)) {
            SparkJobInfo job = tracker.getJobInfo(jobId);
            if (job == null) {
                continue;   // dropped from the status store (spark.ui.retainedJobs): long over
            }
            if (job.status() == JobExecutionStatus.RUNNING) {
                return Integer.MAX_VALUE;
            }
            for (int stageId : job.stageIds()) {
                SparkStageInfo stage = tracker.getStageInfo(stageId);
                if (stage != null) {
                    running += stage.numActiveTasks();
                }
            }
        }
        return running;
    }
}
