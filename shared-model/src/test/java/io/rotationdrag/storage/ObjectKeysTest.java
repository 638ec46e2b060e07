package io.rotationdrag.storage;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

class ObjectKeysTest {

    @Test
    void everyJobKeyIsUnderTheJobPrefixAndDistinct() {
        UUID id = UUID.randomUUID();
        List<String> keys = List.of(ObjectKeys.inputImage(id), ObjectKeys.inputMask(id), ObjectKeys.inputGroundTruth(id), ObjectKeys.lora(id),
                ObjectKeys.inversion(id), ObjectKeys.dragOutcome(id), ObjectKeys.result(id),
                ObjectKeys.trajectory(id), ObjectKeys.metrics(id));
        Set<String> seen = new HashSet<>();
        for (String k : keys) {
            assertTrue(k.startsWith(ObjectKeys.jobPrefix(id)), k);
            assertTrue(seen.add(k), "duplicate key " + k);
        }
        assertEquals(ObjectKeys.result(id), ObjectKeys.result(id), "deterministic");
        assertNotEquals(ObjectKeys.result(id), ObjectKeys.result(UUID.randomUUID()));
    }

    @Test
    void cacheKeysAreValidated() {
        assertEquals("lora-cache/abc123.safetensors", ObjectKeys.loraCache("abc123"));
        assertThrows(IllegalArgumentException.class, () -> ObjectKeys.loraCache("../escape"));
        assertThrows(IllegalArgumentException.class, () -> ObjectKeys.loraCache(""));
        assertThrows(IllegalArgumentException.class, () -> ObjectKeys.loraCache(null));
    }
}
