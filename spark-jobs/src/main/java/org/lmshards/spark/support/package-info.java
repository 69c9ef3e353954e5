/**
 * What every stage of the job shares and nothing of the job's own: its two exceptions
 * ({@link org.lmshards.spark.support.BadInputException}, exit code 3, and
 * {@link org.lmshards.spark.support.UsageError}, exit code 2), the fault points the reliability
 * tests use, and the wait for running task attempts. A leaf: it imports no other package of the
 * job, so {@code csv}, {@code tokens}, {@code shard} and {@code io} depend on it and the driver
 * ({@code org.lmshards.spark}) on all of them, without a cycle.
 */
package org.lmshards.spark.support;
