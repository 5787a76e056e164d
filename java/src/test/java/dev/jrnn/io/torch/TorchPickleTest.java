package dev.jrnn.io.torch;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The restricted unpickler on hand-written pickles: the forms a state_dict may take besides torch.save's usual one
 * (TorchWeightsTest reads real torch files), and malformed ones, each refused naming the byte and the problem.
 */
class TorchPickleTest {
    /** A pickle built opcode by opcode. */
    private static final class P {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        P op(int... bytes) {
            for (int x : bytes) b.write(x);
            return this;
        }

        P str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            op('X', u.length, u.length >> 8, 0, 0);
            b.writeBytes(u);
            return this;
        }

        P global(String module, String name) {
            op('c');
            b.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        /** {@code _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', n), offset, (rows, cols), (cols, 1), False, OrderedDict())}. */
        P tensor(String key, int offset, int rows, int cols) {
            global("torch._utils", "_rebuild_tensor_v2").op('(');
            op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu").op('K', rows * cols, 't', 'Q');
            op('K', offset, 'K', rows, 'K', cols, 0x86, 'K', cols, 'K', 1, 0x86, 0x89);
            global("collections", "OrderedDict").op(')', 'R', 't', 'R');
            return this;
        }

        byte[] bytes() { return b.toByteArray(); }
    }

    private static IOException refused(byte[] pickle, String... words) {
        IOException e = assertThrows(IOException.class, () -> TorchPickle.read(pickle, "f.pt"));
        for (String w : words) assertTrue(e.getMessage().contains(w), "'" + w + "' not in: " + e.getMessage());
        return e;
    }

    @Test
    void aPlainDictAndOrderedDictOfPairs() throws IOException {
        // {"a": t} as pickle writes a dict, and OrderedDict([("b", t)]) as its reduce with a list of pairs
        byte[] plain = new P().op(0x80, 2, '}').str("a").tensor("0", 2, 2, 3).op('s', '.').bytes();
        Map<String, TorchPickle.TensorRef> m = TorchPickle.read(plain, "f.pt");
        assertEquals(java.util.List.of("a"), java.util.List.copyOf(m.keySet()));
        TorchPickle.TensorRef t = m.get("a");
        assertEquals(2, t.offset());
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new long[] {3, 1}, t.stride());
        assertEquals(TorchDType.F32, t.storage().dtype());
        byte[] pairs = new P().op(0x80, 2).global("collections", "OrderedDict").op(']', '(', '(').str("b").tensor("1", 0, 1, 1)
                .op('t', 'e', 0x85, 'R', '.').bytes();
        assertEquals(java.util.List.of("b"), java.util.List.copyOf(TorchPickle.read(pairs, "f.pt").keySet()));
    }

    @Test
    void malformedPicklesAreRefusedNamingTheByte() {
        refused(new P().op(0x80, 2, '}').bytes(), "pickle byte 3", "without STOP (truncated)");
        refused(new P().op(0x80, 2, 'h', 5).bytes(), "memo 5 read before it was written");
        refused(new P().op(0x80, 2, '}', '}', '.').bytes(), "STOP with 1 more values");
        refused(new P().op(0x80, 2, 'X', 0xff, 0xff, 0xff, 0x7f).bytes(), "runs past the pickle's end");
        refused(new P().op(0x80, 2, 's').bytes(), "stack underflow");
        refused(new P().op(0x80, 2, 'u', '.').bytes(), "no MARK");
        refused(new P().op(0x80, 2, ')', '.').bytes(), "a tuple of 0, not a state_dict");
        refused(new P().op(0x80, 2, '}').str("n").op('K', 3, 's', '.').bytes(), "state_dict entry 'n' is the integer 3, not a tensor");
        refused(new P().op(0x80, 2, '}', 'K', 1).tensor("0", 0, 1, 1).op('s', '.').bytes(), "a state_dict key is the integer 1");
        refused(new P().op(0x80, 2, 'i').bytes(), "opcode 0x69 ('i')");
        refused(new P().op(0x80, 2, 0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9).bytes(), "an integer of 9 bytes");
        refused(new P().op(0x80, 2).global("torch", "ComplexFloatStorage").bytes(), "refused pickle global torch.ComplexFloatStorage");
        // torch 2.x's other rebuilders (float8 / unsigned tensors, keep_vars Parameters with attributes, DTensor): named as such
        refused(new P().op(0x80, 2).global("torch._utils", "_rebuild_tensor_v3").bytes(), "refused pickle global torch._utils._rebuild_tensor_v3",
                "float8", "v.detach().float().contiguous()");
        refused(new P().op(0x80, 2).global("torch._tensor", "_rebuild_from_type_v2").bytes(), "tensor subclass");
        refused(new P().op(0x80, 2).global("os", "sys\u0001tem").bytes(), "not a short printable line");
    }

    /**
     * What could run away is refused by a clear IOException: a tuple key holding a list that holds itself (hashing it
     * recursed without end), a key nested a million tuples deep, more values than a state_dict has (a few KB of deflated
     * one-byte opcodes could fill gigabytes).
     */
    @Test
    void picklesThatWouldRunAwayAreRefused() {
        byte[] selfKey = new P().op(0x80, 2, '}', ']', 'q', 0, 'h', 0, 'a', 0x85).tensor("0", 0, 1, 1).op('s', '.').bytes();
        refused(selfKey, "dict key a tuple of 1 (a state_dict's keys are strings)");
        P deep = new P().op(0x80, 2, '}', ')');
        for (int i = 0; i < 1_000_000; i++) deep.op(0x85);
        refused(deep.tensor("0", 0, 1, 1).op('s', '.').bytes(), "dict key a tuple of 1");
        P many = new P().op(0x80, 2);
        for (int i = 0; i <= TorchPickle.MAX_OBJECTS; i++) many.op('N');
        refused(many.op('.').bytes(), "more than " + TorchPickle.MAX_OBJECTS + " values: not a state_dict pickle");
    }

    /** torch.save(..., pickle_protocol=4): a FRAME, SHORT_BINUNICODE, STACK_GLOBAL and MEMOIZE read as protocol 2's forms. */
    @Test
    void protocolFourFramesAndStackGlobals() throws IOException {
        P p = new P().op(0x80, 4, 0x95, 0, 0, 0, 0, 0, 0, 0, 0);
        p.op(0x8c, 11).b.writeBytes("collections".getBytes(StandardCharsets.US_ASCII));
        p.op(0x94, 0x8c, 11).b.writeBytes("OrderedDict".getBytes(StandardCharsets.US_ASCII));
        p.op(0x94, 0x93, 0x94, ')', 'R', 0x94).str("w").tensor("0", 0, 1, 2).op('s', '.');
        Map<String, TorchPickle.TensorRef> m = TorchPickle.read(p.bytes(), "f.pt");
        assertEquals(java.util.List.of("w"), java.util.List.copyOf(m.keySet()));
        assertArrayEquals(new int[] {1, 2}, m.get("w").shape());
        refused(new P().op(0x80, 4, 0x8c, 2, 'o', 's', 0x8c, 6, 's', 'y', 's', 't', 'e', 'm', 0x93).bytes(), "refused pickle global os.system");
    }

    @Test
    void negativeOffsetsAndStridesAreRefused() {
        // LONG1 of one byte 0xff is -1
        byte[] negOffset = new P().op(0x80, 2, '}').str("a").global("torch._utils", "_rebuild_tensor_v2").op('(', '(').str("storage")
                .global("torch", "FloatStorage").str("0").str("cpu").op('K', 1, 't', 'Q', 0x8a, 1, 0xff, ')', ')', 0x89, '}', 't', 'R')
                .op('s', '.').bytes();
        refused(negOffset, "storage offset is the integer -1");
        byte[] negStride = new P().op(0x80, 2, '}').str("a").global("torch._utils", "_rebuild_tensor_v2").op('(', '(').str("storage")
                .global("torch", "FloatStorage").str("0").str("cpu").op('K', 1, 't', 'Q', 'K', 0, 'K', 2, 0x85, 0x8a, 1, 0xff, 0x85, 0x89, '}', 't', 'R')
                .op('s', '.').bytes();
        refused(negStride, "negative stride -1");
    }
}
