package io.rotationdrag.jobs;

import io.rotationdrag.edit.EditOptions;
import io.rotationdrag.edit.EditValidationException;
import io.rotationdrag.edit.TrackerKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class JobOptionsTest {

    @Test
    void emptyOptionsGiveTheMethodDefaults() {
        assertEquals(EditOptions.defaults(), JobOptions.resolve("rotationdrag-cached", null));
        assertEquals(EditOptions.defaults().withTracker(TrackerKind.ROTATIONDRAG), JobOptions.resolve("rotationdrag", "{}"));
        assertEquals(EditOptions.dragDiffusion(), JobOptions.resolve("dragdiffusion", " "));
        assertEquals(TrackerKind.FREEDRAG, JobOptions.resolve("freedrag", "{}").tracker());
        // the region methods are methods like the trackers: same ids in jobs, same defaults otherwise
        assertEquals(EditOptions.defaults().withTracker(TrackerKind.ROTATE_PIXELS), JobOptions.resolve("rotate-pixels", "{}"));
        assertEquals(TrackerKind.ROTATE_LATENT, JobOptions.resolve("ROTATE_LATENT", null).tracker());
        assertTrue(TrackerKind.ROTATE_LATENT.regionMethod() && !TrackerKind.FREEDRAG.regionMethod());
        assertTrue(assertThrows(EditValidationException.class, () -> JobOptions.resolve("rotate", null)).getMessage()
                .contains("rotate-pixels, rotate-latent"));
    }

    @Test
    void partialOptionsOverrideOnlyWhatTheyName() {
        EditOptions o = JobOptions.resolve("rotationdrag", "{\"seed\":7,\"drag\":{\"maxSteps\":5},\"lora\":{\"steps\":2}}");
        EditOptions d = EditOptions.defaults();
        assertEquals(7, o.seed());
        assertEquals(5, o.drag().maxSteps());
        assertEquals(2, o.lora().steps());
        assertEquals(d.drag().learningRate(), o.drag().learningRate());
        assertEquals(d.lora().rank(), o.lora().rank());
        assertEquals(d.workingSize(), o.workingSize());
        assertEquals(TrackerKind.ROTATIONDRAG, o.tracker());
    }

    @Test
    void badOptionsAreRejectedWithTheReason() {
        assertTrue(assertThrows(EditValidationException.class, () -> JobOptions.resolve("paint", "{}"))
                .getMessage().contains("unknown method 'paint'"));
        assertTrue(assertThrows(EditValidationException.class, () -> JobOptions.resolve("freedrag", "{nope"))
                .getMessage().contains("not valid JSON"));
        assertTrue(assertThrows(EditValidationException.class, () -> JobOptions.resolve("freedrag", "{\"speed\":1}"))
                .getMessage().contains("options.speed"));
        assertTrue(assertThrows(EditValidationException.class,
                () -> JobOptions.resolve("freedrag", "{\"drag\":{\"maxSteps\":-1}}")).getMessage().contains("invalid"));
        assertTrue(assertThrows(EditValidationException.class, () -> JobOptions.resolve("freedrag", "[1]"))
                .getMessage().contains("JSON object"));
        assertTrue(assertThrows(EditValidationException.class,
                () -> JobOptions.resolve("freedrag", "{\"tracker\":\"DRAGDIFFUSION\"}")).getMessage().contains("method"));
    }

    /** Wrong types name the option and the expected kind, never a Java class or a Jackson feature. */
    @Test
    void wrongTypesNameTheOptionWithoutInternals() {
        String[][] cases = {
                {"{\"drag\":{\"maxSteps\":\"many\"}}", "options.drag.maxSteps must be an integer"},
                {"{\"drag\":{\"maxSteps\":1.5}}", "options.drag.maxSteps must be an integer"},
                {"{\"seed\":\"7\"}", "options.seed must be an integer"},
                {"{\"lora\":{\"enabled\":\"yes\"}}", "options.lora.enabled must be true or false"},
                {"{\"drag\":{\"maxSteps\":1e12}}", "options.drag.maxSteps"},
                {"{\"drag\":{\"learningRate\":NaN}}", "not valid JSON at line 1"},
                {"{\"drag\":{\"maskTerm\":\"SOMETIMES\"}}", "options.drag.maskTerm must be one of"},
        };
        for (String[] c : cases) {
            String m = assertThrows(EditValidationException.class, () -> JobOptions.resolve("freedrag", c[0]))
                    .getMessage();
            assertTrue(m.contains(c[1]), c[0] + " -> " + m);
            for (String leak : new String[] {"java.", "io.rotationdrag", "Feature", "jackson", "Cannot deserialize"}) {
                assertFalse(m.contains(leak), c[0] + " leaks '" + leak + "': " + m);
            }
        }
    }
}
