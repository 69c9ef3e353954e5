package org.lmshards.spark.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tests every store passes, run by each store's IT on its own file system: a subclass starts
 * the store once for the class and hands over its {@link StoreScenarios}.
 */
abstract class StoreContract {
    /** The scenarios on the subclass's store, set up in its {@code @BeforeAll}. */
    abstract StoreScenarios scenarios();

    @Test
    void roundTripIsByteIdenticalToLocalModeWithCacheHitForceAndAGivenVocabulary() throws Exception {
        scenarios().roundTripCacheHitForceAndGivenVocabulary();
    }

    @ParameterizedTest(name = "halt at {0}: readers see the new dataset: {1}")
    @MethodSource("org.lmshards.spark.store.StoreScenarios#commitPoints")
    void aJobKilledAtACommitStepLeavesTheOldOrTheNewDatasetWhole(String point, boolean newVisible) throws Exception {
        scenarios().killAt(point, newVisible);
    }
}
