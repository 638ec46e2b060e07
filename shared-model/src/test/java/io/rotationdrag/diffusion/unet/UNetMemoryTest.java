package io.rotationdrag.diffusion.unet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 50 UNet forwards (every tenth with a backward to the latent, as a drag step does) leave no NDArray behind in
 * any manager, and the process's native memory (resident memory outside the Java heap) grows by less than what
 * a single leaked forward costs, measured in the same run.
 */
class UNetMemoryTest {

    @Test
    void fiftyForwardsLeakNoArraysAndNoNativeMemory() throws IOException {
        try (NDManager base = NDManager.newBaseManager();
             UNet2DConditionModel unet = TinyUNet.create(base, DataType.FLOAT32, 9)) {
            NDArray text = base.randomNormal(new Shape(1, 77, 32));
            NDArray latent = base.randomNormal(new Shape(1, 4, 16, 16));
            int weights = unet.manager().getManagedArrays().size();
            int baseArrays = base.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                step(base, unet, latent, text, true); // warm-up: allocator pools, JIT, libtorch lazy init
            }
            long native0 = nativeBytes();
            for (int i = 0; i < 50; i++) {
                step(base, unet, latent, text, i % 10 == 0);
                assertEquals(baseArrays, base.getManagedArrays().size(), "arrays left in the caller's manager, step " + i);
                assertEquals(weights, unet.manager().getManagedArrays().size(), "arrays left in the weights' manager");
            }
            long native1 = nativeBytes();

            // calibration in the same run: what one leaked step costs. A forward whose outputs stay alive keeps
            // its autograd graph and the activations saved for backward, the typical per-step leak.
            List<NDManager> leaked = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                NDManager scope = base.newSubManager();
                leaked.add(scope);
                NDArray z = latent.duplicate();
                z.attach(scope);
                z.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    unet.forward(z, 681, text, UNetRequest.noiseAnd(2));
                }
            }
            long native2 = nativeBytes();
            leaked.forEach(NDManager::close);
            double growth = native1 - native0;
            double perLeak = (native2 - native1) / 3.0;
            System.out.printf("UNet memory: native (RSS outside the Java heap) %.1f MB -> %.1f MB over 50 forwards (5 with backward)"
                    + " (growth %.1f MB); one deliberately leaked forward costs %.1f MB%n",
                    native0 / 1e6, native1 / 1e6, growth / 1e6, perLeak / 1e6);
            assertTrue(perLeak > 1e6, "calibration leak too small to be seen: " + perLeak / 1e6 + " MB");
            // a per-forward leak of even 6% of one forward's graph would add 50 x 0.06 = 3 leaked forwards; smaller
            // leaks of whole arrays are caught by the manager counts above. Allocator noise stays below that.
            assertTrue(growth < 3 * perLeak, "native memory grew by " + growth / 1e6 + " MB over 50 forwards, more"
                    + " than three leaked forwards (" + 3 * perLeak / 1e6 + " MB)");
        }
    }

    /** One forward (features + noise, as a drag step), optionally with a backward to the latent, in a closed scope. */
    private static void step(NDManager base, UNet2DConditionModel unet, NDArray latent, NDArray text, boolean backward) {
        try (NDManager scope = base.newSubManager()) {
            NDArray z = latent.duplicate();
            z.attach(scope);
            if (!backward) {
                unet.forward(z, 681, text, UNetRequest.noiseAnd(2));
                return;
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                z.setRequiresGradient(true);
                UNetOutput out = unet.forward(z, 681, text, UNetRequest.noiseAnd(2));
                NDArray loss = out.noise().square().mean().add(out.upBlock(2).abs().mean());
                gc.backward(loss);
            }
        }
    }

    /**
     * Resident bytes of the process outside the Java heap: the sum of Rss over /proc/self/smaps, minus the
     * mappings of the heap reservation (the contiguous run of mappings whose span equals MaxHeapSize). The
     * plain RSS would also count heap pages the JVM touches for the first time, which is not native growth.
     */
    static long nativeBytes() throws IOException {
        long maxHeap = Long.parseLong(ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("MaxHeapSize").getValue());
        List<long[]> maps = new ArrayList<>(); // start, end, rss
        long[] cur = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                cur = new long[]{Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16), 0};
                maps.add(cur);
            } else if (line.startsWith("Rss:") && cur != null) {
                cur[2] = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        long total = 0;
        long heap = -1;
        for (int i = 0; i < maps.size(); i++) {
            total += maps.get(i)[2];
            long rss = 0;
            for (int j = i; j < maps.size() && (j == i || maps.get(j)[0] == maps.get(j - 1)[1]); j++) {
                rss += maps.get(j)[2];
                if (maps.get(j)[1] - maps.get(i)[0] == maxHeap) {
                    heap = rss;
                    break;
                }
            }
        }
        if (heap < 0) {
            throw new IllegalStateException("Java heap reservation of " + maxHeap + " bytes not found in /proc/self/smaps");
        }
        return total - heap;
    }
}
