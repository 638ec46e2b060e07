package io.rotationdrag.jobs;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

class JobContractsTest {

    @Test
    void stageMessageRoundTripsThroughJson() {
        StageMessage m = new StageMessage(UUID.randomUUID(), UUID.randomUUID(), Stage.DRAG, 3,
                Instant.parse("2026-01-02T03:04:05Z"), Instant.parse("2026-01-02T03:04:00Z"));
        assertEquals(m, StageMessageCodec.fromBytes(StageMessageCodec.toBytes(m)));
        StageMessage first = StageMessage.first(UUID.randomUUID(), Stage.LORA);
        assertEquals(first, StageMessageCodec.fromBytes(StageMessageCodec.toBytes(first)));
        assertNull(first.notBefore());
    }

    @Test
    void malformedMessagesNameTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StageMessageCodec.fromBytes("not json".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StageMessageCodec.fromBytes(
                ("{\"messageId\":\"" + UUID.randomUUID() + "\",\"stage\":\"LORA\"}").getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("jobId"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StageMessageCodec.fromBytes(
                ("{\"messageId\":\"" + UUID.randomUUID() + "\",\"jobId\":\"" + UUID.randomUUID()
                        + "\",\"stage\":\"PAINT\"}").getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("PAINT"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StageMessageCodec.fromBytes(null));
    }

    @Test
    void stateMachineEdges() {
        assertTrue(JobState.QUEUED.canMoveTo(JobState.LORA));
        assertTrue(JobState.LORA.canMoveTo(JobState.INVERT));
        assertTrue(JobState.DENOISE.canMoveTo(JobState.EVAL));
        assertTrue(JobState.EVAL.canMoveTo(JobState.SUCCEEDED));
        assertTrue(JobState.DRAG.canMoveTo(JobState.CANCELLED));
        assertTrue(JobState.DRAG.canMoveTo(JobState.DRAG), "a redelivered step re-enters its state");
        assertFalse(JobState.QUEUED.canMoveTo(JobState.DRAG), "no skipping");
        assertFalse(JobState.EVAL.canMoveTo(JobState.LORA), "no going back");
        for (JobState t : new JobState[] {JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED}) {
            assertTrue(t.isTerminal());
            for (JobState n : JobState.values()) {
                assertFalse(t.canMoveTo(n), t + " is terminal");
            }
        }
    }

    @Test
    void stagesChainAndCoverEverySteps() {
        assertEquals(Stage.DRAG, Stage.LORA.next());
        assertEquals(Stage.EVAL, Stage.DRAG.next());
        assertNull(Stage.EVAL.next());
        int steps = 0;
        for (Stage s : Stage.values()) {
            steps += s.steps().size();
            assertEquals(s, Stage.fromTopic(s.topic()));
            assertEquals(s, Stage.fromTopic(s.retryTopic()));
            assertEquals(s, Stage.fromTopic(s.dlqTopic()));
        }
        assertEquals(JobState.STEPS.size(), steps);
        assertEquals("rd.stage.drag.dlq", Stage.DRAG.dlqTopic());
        assertThrows(IllegalArgumentException.class, () -> Stage.fromTopic("rd.stage.paint"));
    }
}
