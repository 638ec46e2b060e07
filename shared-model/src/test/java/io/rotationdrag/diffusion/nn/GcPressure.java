package io.rotationdrag.diffusion.nn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A background thread that collects garbage every few milliseconds and refills direct buffers of several sizes
 * with junk, so that memory freed by a collection is reused at once. Any tensor still reading a Java buffer that a
 * GC may free (see {@link OwnedArrays}) then reads junk instead of its data.
 */
public final class GcPressure implements AutoCloseable {

    private final Thread thread;
    private volatile boolean running = true;

    private GcPressure() {
        thread = new Thread(this::run, "gc-pressure");
        thread.setDaemon(true);
        thread.start();
    }

    public static GcPressure start() {
        return new GcPressure();
    }

    /** One explicit round: collect, then overwrite freed memory with junk (for tests that time it themselves). */
    public static void collectAndScribble() {
        System.gc();
        for (int bytes = 4; bytes <= 1 << 16; bytes *= 4) {
            ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 4) {
                b.putFloat(7.0e30f);
            }
        }
    }

    private void run() {
        while (running) {
            collectAndScribble();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
