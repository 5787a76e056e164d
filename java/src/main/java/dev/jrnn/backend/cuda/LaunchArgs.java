package dev.jrnn.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;

/**
 * Marshals kernel arguments into the {@code void** kernelParams} array that {@code cuLaunchKernel} takes.
 *
 * <p>One native block holds the pointer array (n × 8 bytes) followed by the argument values, each at an
 * offset aligned to its own size; pointer i holds the address of value i. Argument types:
 * {@link Long} → 8 bytes (device pointers, int64), {@link Integer} → int32, {@link Float} → float32,
 * {@link Double} → float64. Anything else is an IllegalArgumentException. The driver copies the values at
 * launch (and at graph capture), so the block can be reused right after the call.
 *
 * <pre>{@code
 * MemorySegment params = LaunchArgs.marshal(arena, yPtr, xPtr, 2.0f, n);  // float* y, float* x, float a, int n
 * }</pre>
 */
public final class LaunchArgs {
    private LaunchArgs() {}

    /** Size in bytes of one argument (also its alignment). */
    public static int sizeOf(int index, Object a) {
        if (a instanceof Long || a instanceof Double) return 8;
        if (a instanceof Integer || a instanceof Float) return 4;
        throw new IllegalArgumentException("kernel argument " + index + " is "
                + (a == null ? "null" : a.getClass().getName())
                + ": expected Long (device pointer or int64), Integer (int32), Float (float32) or Double (float64)");
    }

    /**
     * Byte offsets of each value inside the block (after the n × 8-byte pointer array); element n is the
     * block's total size.
     */
    public static long[] layout(Object... args) {
        long[] off = new long[args.length + 1];
        long pos = 8L * args.length;
        for (int i = 0; i < args.length; i++) {
            int s = sizeOf(i, args[i]);
            pos = (pos + s - 1) / s * s;
            off[i] = pos;
            pos += s;
        }
        off[args.length] = pos;
        return off;
    }

    /**
     * Writes {@code args} into a block from {@code alloc}; the returned segment starts with the pointer array
     * (pass its address as {@code kernelParams}). With no arguments, {@link MemorySegment#NULL}.
     */
    public static MemorySegment marshal(SegmentAllocator alloc, Object... args) {
        if (args.length == 0) return MemorySegment.NULL;
        long[] off = layout(args);
        MemorySegment block = alloc.allocate(off[args.length], 8);
        write(block, off, args);
        return block;
    }

    private static void write(MemorySegment block, long[] off, Object[] args) {
        long base = block.address();
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            long o = off[i];
            switch (a) {
                case Long v -> block.set(ValueLayout.JAVA_LONG_UNALIGNED, o, v);
                case Integer v -> block.set(ValueLayout.JAVA_INT_UNALIGNED, o, v);
                case Float v -> block.set(ValueLayout.JAVA_FLOAT_UNALIGNED, o, v);
                case Double v -> block.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, o, v);
                default -> throw new IllegalArgumentException("kernel argument " + i + " has unsupported type " + a.getClass());
            }
            block.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i, base + o);
        }
    }

    // Per-thread reusable block for the launch path: no allocation per launch.
    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    /** Like {@link #marshal} into this thread's reusable block (valid until this thread marshals again). */
    static MemorySegment marshalScratch(Object... args) {
        if (args.length == 0) return MemorySegment.NULL;
        long[] off = layout(args);
        long need = off[args.length];
        MemorySegment[] holder = SCRATCH.get();
        MemorySegment block = holder[0];
        if (block == null || block.byteSize() < need) {
            block = Arena.ofAuto().allocate(Math.max(need, 512), 16);
            holder[0] = block;
        }
        write(block, off, args);
        return block;
    }
}
