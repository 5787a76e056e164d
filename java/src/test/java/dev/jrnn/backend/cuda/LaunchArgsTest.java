package dev.jrnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class LaunchArgsTest {

    @Test
    void sizesFollowTheCTypes() {
        assertEquals(8, LaunchArgs.sizeOf(0, 0x7f00_0000_0000L));
        assertEquals(4, LaunchArgs.sizeOf(0, 7));
        assertEquals(4, LaunchArgs.sizeOf(0, 1.5f));
        assertEquals(8, LaunchArgs.sizeOf(0, 1.5));
    }

    @Test
    void valuesFollowThePointerArrayEachAlignedToItsSize() {
        // int, long, float, double, int: pointers take 5*8 = 40 bytes, then 40 (int), 48 (long, 8-aligned),
        // 56 (float), 64 (double, 8-aligned), 72 (int); 76 bytes in all.
        long[] off = LaunchArgs.layout(3, 5L, 2f, 4.0, 9);
        assertArrayEquals(new long[] {40, 48, 56, 64, 72, 76}, off);
        // int then long: the long skips 4 bytes of padding.
        assertArrayEquals(new long[] {16, 24, 32}, LaunchArgs.layout(1, 2L));
        // three ints pack tightly.
        assertArrayEquals(new long[] {24, 28, 32, 36}, LaunchArgs.layout(1, 2, 3));
    }

    @Test
    void pointersAddressTheirValues() {
        try (Arena a = Arena.ofConfined()) {
            long dptr = 0x7000_1234_5600L;
            MemorySegment block = LaunchArgs.marshal(a, dptr, 42, -1.25f, 7L, 0.5);
            assertEquals(0, block.address() % 8, "block is 8-aligned");
            long[] off = LaunchArgs.layout(dptr, 42, -1.25f, 7L, 0.5);
            for (int i = 0; i < 5; i++) {
                assertEquals(block.address() + off[i], block.get(ValueLayout.JAVA_LONG, 8L * i), "pointer " + i);
                assertEquals(0, (block.address() + off[i]) % (i == 1 || i == 2 ? 4 : 8), "alignment of " + i);
            }
            assertEquals(dptr, block.get(ValueLayout.JAVA_LONG, off[0]));
            assertEquals(42, block.get(ValueLayout.JAVA_INT, off[1]));
            assertEquals(-1.25f, block.get(ValueLayout.JAVA_FLOAT, off[2]));
            assertEquals(7L, block.get(ValueLayout.JAVA_LONG, off[3]));
            assertEquals(0.5, block.get(ValueLayout.JAVA_DOUBLE, off[4]));
        }
    }

    @Test
    void noArgumentsIsANullParameterArray() {
        assertSame(MemorySegment.NULL, LaunchArgs.marshal(Arena.global()));
        assertSame(MemorySegment.NULL, LaunchArgs.marshalScratch());
    }

    @Test
    void scratchBlockIsReusedAndRewritten() {
        MemorySegment first = LaunchArgs.marshalScratch(1L, 2);
        MemorySegment second = LaunchArgs.marshalScratch(3L, 4);
        assertEquals(first.address(), second.address());
        long[] off = LaunchArgs.layout(3L, 4);
        assertEquals(3L, second.get(ValueLayout.JAVA_LONG, off[0]));
        assertEquals(4, second.get(ValueLayout.JAVA_INT, off[1]));
        // A longer list grows the block.
        Object[] many = new Object[100];
        for (int i = 0; i < many.length; i++) many[i] = (long) i;
        MemorySegment big = LaunchArgs.marshalScratch(many);
        long[] offs = LaunchArgs.layout(many);
        assertTrue(big.byteSize() >= offs[100]);
        assertEquals(99L, big.get(ValueLayout.JAVA_LONG, offs[99]));
    }

    @Test
    void unsupportedTypesNameTheArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchArgs.layout(1L, "x"));
        assertTrue(e.getMessage().contains("argument 1"), e.getMessage());
        assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                () -> LaunchArgs.marshal(Arena.global(), 1, null));
        assertTrue(n.getMessage().contains("argument 1 is null"), n.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LaunchArgs.layout((short) 1));
    }
}
