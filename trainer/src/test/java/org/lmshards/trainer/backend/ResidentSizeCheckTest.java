package org.lmshards.trainer.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * JavaCPP's per-allocation resident-size check is off in the trainer's JVMs, and the trainer's
 * once-a-step check applies the same limit to the process's anonymous memory.
 */
class ResidentSizeCheckTest {
    @Test
    void javaCppLoadedWithItsCheckOffAndTheTrainersOn() {
        Nd4j.create(1); // loads JavaCPP and the backend, after the session listener took the check over
        assertThat(Pointer.maxPhysicalBytes()).isZero();
        assertThat(Pointer.maxBytes()).as("JavaCPP's allocated-bytes limit stays on").isPositive();
        assertThat(ResidentSizeCheck.limit()).isEqualTo(2 * Runtime.getRuntime().maxMemory());
        ResidentSizeCheck.check(); // this JVM is far below twice its heap
    }

    @Test
    void aboveTheLimitItReclaimsAndGoesOnWhenThatBringsItBelow() {
        AtomicLong used = new AtomicLong(300);
        AtomicInteger reclaims = new AtomicInteger();
        new ResidentSizeCheck(200, used::get, () -> {
            reclaims.incrementAndGet();
            used.addAndGet(-60);
        }).checkNow();
        assertThat(reclaims).hasValue(2);
        assertThat(used).hasValue(180);
    }

    @Test
    void aboveTheLimitAfterEveryReclaimItThrowsTheErrorTheTrainerReportsAsOutOfMemory() {
        AtomicInteger reclaims = new AtomicInteger();
        ResidentSizeCheck check = new ResidentSizeCheck(200, () -> 201, reclaims::incrementAndGet);
        assertThatThrownBy(check::checkNow).isInstanceOf(OutOfMemoryError.class)
                .hasMessageContaining("201 bytes > limit 200").hasMessageContaining(ResidentSizeCheck.PROPERTY);
        assertThat(reclaims).hasValue(ResidentSizeCheck.RECLAIM_TRIES);
    }

    @Test
    void belowTheLimitOrWithoutOneNothingIsReclaimed() {
        AtomicInteger reclaims = new AtomicInteger();
        new ResidentSizeCheck(200, () -> 200, reclaims::incrementAndGet).checkNow();
        new ResidentSizeCheck(0, () -> Long.MAX_VALUE, reclaims::incrementAndGet).checkNow();
        assertThat(reclaims).hasValue(0);
    }

    @Test
    void aLimitTheUserSetIsLeftToJavaCpp() {
        String before = System.getProperty(ResidentSizeCheck.PROPERTY);
        try {
            System.setProperty(ResidentSizeCheck.PROPERTY, "48g");
            assertThat(ResidentSizeCheck.takeOver()).isEqualTo("48g");
            assertThat(System.getProperty(ResidentSizeCheck.PROPERTY)).isEqualTo("48g");
        } finally {
            System.setProperty(ResidentSizeCheck.PROPERTY, before);
        }
    }
}
