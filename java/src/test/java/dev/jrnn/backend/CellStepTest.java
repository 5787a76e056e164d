package dev.jrnn.backend;

import dev.jrnn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.jrnn.backend.BufAt.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The argument records of the recurrent operations: CellStep's factories, BufAt, CellConfig. */
class CellStepTest {
    static Backend be;
    static Buf a, b, c, d, e, f, g, h, i, j;

    @BeforeAll
    static void open() {
        be = CpuBackend.create();
        a = be.alloc(1); b = be.alloc(1); c = be.alloc(1); d = be.alloc(1); e = be.alloc(1);
        f = be.alloc(1); g = be.alloc(1); h = be.alloc(1); i = be.alloc(1); j = be.alloc(1);
    }

    @AfterAll
    static void close() { be.close(); }

    @Test
    void factoriesPutEachBufferInItsRole() {
        CellStep.Forward rnn = CellStep.Forward.rnn(at(a, 1), at(b, 2), null, at(c, 3));
        assertEquals(new CellStep.Forward(at(a, 1), null, null, at(b, 2), null, null, at(c, 3), null, null), rnn);
        CellStep.Forward lstm = CellStep.Forward.lstm(at(a, 0), at(b, 0), at(c, 0), at(d, 0), at(e, 0), at(f, 0));
        assertEquals(new CellStep.Forward(at(a, 0), null, null, at(c, 0), at(b, 0), at(d, 0), at(f, 0), at(e, 0), null), lstm);
        CellStep.Forward gru = CellStep.Forward.gru(at(a, 0), at(b, 0), at(c, 0), at(d, 0), at(e, 0), at(f, 0));
        assertEquals(new CellStep.Forward(at(a, 0), at(b, 0), at(c, 0), at(d, 0), null, at(e, 0), at(f, 0), null, null), gru);
        CellStep.Forward gruRb = CellStep.Forward.gruResetBefore(at(a, 0), at(b, 0), at(c, 0), at(d, 0), at(e, 0), at(f, 0));
        assertEquals(new CellStep.Forward(at(a, 0), at(e, 0), null, at(c, 0), null, at(d, 0), at(f, 0), null, at(b, 0)), gruRb);

        assertEquals(new CellStep.Backward(null, null, null, at(a, 0), null, null, at(b, 0), null, at(c, 0), at(d, 0),
                at(e, 0), null, at(f, 0), null, null), CellStep.Backward.rnn(at(a, 0), at(b, 0), at(c, 0), at(d, 0), at(e, 0), at(f, 0)));
        assertEquals(new CellStep.Backward(at(a, 0), null, null, null, at(b, 0), at(c, 0), at(d, 0), at(f, 0), at(e, 0),
                at(g, 0), at(h, 0), null, at(j, 0), at(i, 0), null),
                CellStep.Backward.lstm(at(a, 0), at(b, 0), at(c, 0), at(d, 0), at(e, 0), at(f, 0), at(g, 0), at(h, 0),
                        at(i, 0), at(j, 0)));
        assertEquals(new CellStep.Backward(at(a, 0), at(b, 0), at(c, 0), null, null, null, at(d, 0), null, at(e, 0),
                at(f, 0), at(g, 0), at(h, 0), at(i, 0), null, null),
                CellStep.Backward.gru(at(a, 0), at(b, 0), at(c, 0), at(d, 0), at(e, 0), at(f, 0), at(g, 0), at(h, 0),
                        at(i, 0)));
        assertEquals(new CellStep.Backward(at(a, 0), null, at(c, 0), null, null, null, at(d, 0), null, at(e, 0),
                at(f, 0), at(g, 0), at(h, 0), at(i, 0), null, at(b, 0)),
                CellStep.Backward.gruResetBefore(at(a, 0), at(b, 0), at(c, 0), at(d, 0), at(e, 0), at(f, 0), at(g, 0),
                        at(h, 0), at(i, 0)));
    }

    @Test
    void mapReplacesEveryBufferAndKeepsOffsetsAndAbsences() {
        List<Buf> seen = new ArrayList<>();
        CellStep.Forward fw = CellStep.Forward.gru(at(a, 1), at(b, 2), null, at(c, 3), null, at(d, 4));
        CellStep.Forward mapped = fw.map(x -> { seen.add(x); return j; });
        assertEquals(List.of(a, b, c, d), seen);
        assertEquals(CellStep.Forward.gru(at(j, 1), at(j, 2), null, at(j, 3), null, at(j, 4)), mapped);
        CellStep.Backward bw = CellStep.Backward.lstm(at(a, 1), at(b, 2), at(c, 3), at(d, 4), null, at(e, 5), null,
                at(f, 6), at(g, 7), at(h, 8));
        CellStep.Backward bm = bw.map(x -> j);
        assertEquals(CellStep.Backward.lstm(at(j, 1), at(j, 2), at(j, 3), at(j, 4), null, at(j, 5), null, at(j, 6),
                at(j, 7), at(j, 8)), bm);
    }

    @Test
    void bufAtIsAbsentForANullBuffer() {
        assertNull(at(null, 5));
        assertNull(BufAt.buf(null));
        assertEquals(0, BufAt.offset(null));
        assertSame(a, BufAt.buf(at(a, 7)));
        assertEquals(7, BufAt.offset(at(a, 7)));
        assertThrows(NullPointerException.class, () -> new BufAt(null, 0));
    }

    @Test
    void cellConfigRequiresKindAndActivations() {
        assertThrows(NullPointerException.class, () -> new CellConfig(null, Activation.TANH, Activation.TANH, 1, 1));
        assertThrows(NullPointerException.class, () -> new CellConfig(RecurrentCell.GRU, null, Activation.TANH, 1, 1));
        assertThrows(NullPointerException.class, () -> new CellConfig(RecurrentCell.GRU, Activation.TANH, null, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CellConfig(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, 1, 1, true));
        assertEquals("CellConfig: resetBefore applies to GRU only, got kind LSTM", e.getMessage());
    }

    @Test
    void aMissingBufferOfTheKindIsNamed() {
        Buf big = be.alloc(64);
        try {
            CellConfig gru = new CellConfig(RecurrentCell.GRU, Activation.TANH, Activation.SIGMOID, 1, 2);
            // an LSTM-shaped step has no rp for a GRU
            CellStep.Forward lstmShaped = CellStep.Forward.lstm(at(big, 0), at(big, 8), at(big, 10), null, at(big, 12),
                    at(big, 14));
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> be.recurrentStepForward(gru, lstmShaped));
            assertEquals("gruStepForward: rp is null", ex.getMessage());
        } finally {
            big.close();
        }
    }
}
