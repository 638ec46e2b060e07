package io.rotationdrag.diffusion.nn;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees a direct ByteBuffer's memory now instead of at the next GC ({@code sun.misc.Unsafe.invokeCleaner}, the
 * JDK's supported way for this since 9; Netty and Lucene use it). Without it (another JVM), the memory is freed by
 * the GC as usual, which is only later, never wrong.
 */
final class DirectBuffers {

    private static final Logger LOG = LoggerFactory.getLogger(DirectBuffers.class);
    private static final MethodHandle INVOKE_CLEANER = findCleaner();

    private DirectBuffers() {
    }

    /** Frees {@code b}; it must not be used afterwards, and nothing may still read its memory. */
    static void free(ByteBuffer b) {
        if (INVOKE_CLEANER == null || !b.isDirect()) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(b);
        } catch (Throwable t) {
            throw new IllegalStateException("could not free a direct buffer", t);
        }
    }

    static boolean canFree() {
        return INVOKE_CLEANER != null;
    }

    private static MethodHandle findCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("direct buffers are freed by the GC only (no sun.misc.Unsafe.invokeCleaner: {})", e.toString());
            return null;
        }
    }
}
