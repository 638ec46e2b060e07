package io.rotationdrag.service.runtime;

import java.util.HashMap;
import java.util.Map;

/** {@link KitTestProfile} with three consumers per stage: the shutdown tests stop some of them for good. */
public class ShutdownTestProfile extends KitTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        m.put("rd.worker.concurrency", "3");
        // The test lease is 3 s: long enough that a hand-over faster than it cannot be the reaper's doing.
        m.put("rd.stage.lease", "6s");
        return m;
    }
}
