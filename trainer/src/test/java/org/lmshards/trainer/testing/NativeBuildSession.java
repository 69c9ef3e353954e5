package org.lmshards.trainer.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.lmshards.trainer.backend.NativeBuild;
import org.lmshards.trainer.backend.ResidentSizeCheck;

/**
 * Chooses the nd4j-native build and JavaCPP's resident-size check at the start of a test run,
 * before any test loads ND4J, as {@code trainer.jar}'s {@code main} does: tests that compare an
 * in-process run with a child JVM's (a killed and resumed training, for one) then compare runs
 * of the same native code under the same settings.
 */
public final class NativeBuildSession implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeBuild.choose();
        ResidentSizeCheck.takeOver();
    }
}
