package dev.jrnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Training through Bidirectional layers whose two directions run as {@code Backend.runConcurrently}
 * regions, executed in device-like orders by {@link RecordingBackend} (the backward direction first, or
 * randomly interleaved), with and without graph capture of the step: losses and weights are bit for bit
 * those of plain eager CPU training. On CUDA (two streams, the default) the same regions run on two
 * streams (CudaStreamsGpuTest).
 */
class ConcurrentDirectionsFitTest {
    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    @AfterAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void stackedMaskedBidirectionalTrainsIdenticallyInEveryOrder() {
        SplittableRandom r = new SplittableRandom(17);
        int n = 10, t = 6;
        Tensor x = GraphReplayTest.uniform(r, -1, 1, n, t, 3), y = GraphReplayTest.uniform(r, -1, 1, n, t, 2);
        float[] xs = x.data();
        for (int i = 0; i < n; i += 3) for (int f = 0; f < 3; f++) xs[(i * t) * 3 + f] = 0f;   // masked first steps
        Tensor xm = Tensor.of(xs, n, t, 3);
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new Masking(0.0).inputShape(t, 3),
                    new Bidirectional(new LSTM(5).returnSequences(true)),
                    new Bidirectional(new GRU(4).returnSequences(true)).mergeMode("sum"),
                    new Bidirectional(new SimpleRNN(3).returnSequences(true)).mergeMode("mul"),
                    new TimeDistributed(new Dense(2)));
            m.compile(new Adam(0.01), "mse");
            return m;
        };
        FitOptions o = new FitOptions().epochs(3).batchSize(4).verbose(0).seed(3);
        GraphReplayTest.Run eager = GraphReplayTest.fit(Backends.cpu(), make, List.of(xm), List.of(y), o);
        for (RecordingBackend.Interleave order : RecordingBackend.Interleave.values()) {
            for (boolean graphs : new boolean[] {false, true}) {
                RecordingBackend rec = new RecordingBackend(Backends.cpu()).interleave(order, 99);
                GraphReplayTest.Run run = GraphReplayTest.fit(rec, make, List.of(xm), List.of(y),
                        new FitOptions().epochs(3).batchSize(4).verbose(0).seed(3).cudaGraphs(graphs));
                GraphReplayTest.assertSame(eager, run);
                assertTrue(rec.forks > 0, order + ": no concurrent region ran");
                if (graphs) assertEquals(2, rec.captures, order + ": one graph per batch size");
                assertEquals(0, rec.failedCaptures);
            }
        }
    }

    @Test
    void predictWithAveAndConcatMergesIsOrderIndependent() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = GraphReplayTest.uniform(r, -1, 1, 7, 4, 2);
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new Bidirectional(new LSTM(3).returnSequences(true)).mergeMode("ave")
                    .inputShape(4, 2), new Bidirectional(new GRU(3)), new Dense(1));
            m.compile(new Adam(0.01), "mse");
            return m;
        };
        Jrnn.setBackend(Backends.cpu());
        Jrnn.setSeed(8);
        float[] want = make.get().predict(x).data();
        RecordingBackend rec = new RecordingBackend(Backends.cpu()).interleave(RecordingBackend.Interleave.MAIN_FIRST, 0);
        Jrnn.setBackend(rec);
        Jrnn.clearSession();
        Jrnn.setSeed(8);
        float[] got = make.get().predict(x).data();
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "prediction " + i);
        }
        assertTrue(rec.forks >= 2);
    }

    @Test
    void synchronizingCallsAndSharedFlagCallsAreRefusedInsideARegion() {
        Backend be = new RecordingBackend(Backends.cpu());
        Buf b = be.alloc(4);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> be.runConcurrently(() -> {}, () -> be.download(b, 0, new float[4], 0, 4)));
        assertTrue(e.getMessage().contains("download"), e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> be.runConcurrently(() -> {}, () -> be.checkIds(4, b, 0, 3, "ids", b, 0)));
        assertTrue(e.getMessage().contains("checkIds"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> be.runConcurrently(null, () -> {}));
        assertThrows(IllegalArgumentException.class, () -> Backends.cpu().runConcurrently(() -> {}, null));
        b.close();
    }

    @Test
    void aMainSideReadRunsOnlyTheMainSideAndAnUnjoinedForkFailsACapture() {
        RecordingBackend be = new RecordingBackend(Backends.cpu());
        Buf x = be.alloc(2), y = be.alloc(2);
        be.fill(x, 0, 2, 1f);
        dev.jrnn.backend.Fork f = be.fork(() -> be.scale(2, 5f, x, 0));
        be.fill(y, 0, 2, 3f);
        float[] got = new float[2];
        be.download(y, 0, got, 0, 2);   // the main side's fill has run; the forked scale may still be pending
        assertEquals(3f, got[0]);
        f.join();
        be.download(x, 0, got, 0, 2);
        assertEquals(5f, got[1]);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> be.capture(() -> be.fork(() -> be.scale(2, 2f, x, 0))));
        assertTrue(e.getMessage().contains("not joined"), e.getMessage());
        assertEquals(1, be.failedCaptures);
        be.download(x, 0, got, 0, 2);
        assertEquals(5f, got[0], "the abandoned capture ran nothing");
        x.close();
        y.close();
    }
}
