package io.rotationdrag.jobs;

import io.rotationdrag.edit.EditValidationException;
import io.rotationdrag.edit.PointPair;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class JobPointsTest {
    @Test
    void readsConsecutivePointsAsHandleTargetPairsAndRoundTrips() {
        List<PointPair> p = JobPoints.parse("[[1,2],[3.5,4],[10,10],[10,10]]", 16);
        assertEquals(List.of(new PointPair(1, 2, 3.5, 4), new PointPair(10, 10, 10, 10)), p);
        assertTrue(p.get(1).isAxis());
        assertEquals(p, JobPoints.parse(JobPoints.toJson(p), 16));
    }

    @Test
    void rejectionsNameTheProblem() {
        assertMessage("[[1,2],[3,4],[5,6]]", "odd count");
        assertMessage("[[1,2],[3]]", "points[1]");
        assertMessage("[[1,2],[\"a\",4]]", "points[1]");
        assertMessage("{\"x\":1}", "JSON list");
        assertMessage("[[1,2],", "not valid JSON");
        assertMessage("[]", "empty");
        assertMessage("", "missing");
        assertMessage("[[1,2],[3,4],[5,6],[7,8]]", "at most 1");
    }

    private static void assertMessage(String json, String part) {
        EditValidationException e = assertThrows(EditValidationException.class, () -> JobPoints.parse(json, 1));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
