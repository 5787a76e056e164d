package dev.jrnn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Fork;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.cpu.CpuBackend;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layers' forks with real concurrency: {@code CpuBackend.create(true)} runs every forked task on a
 * second thread while the caller goes on, so a forked task that touched what the caller touches would race
 * (wrong numbers, or a buffer used after close). With the splits forced on small shapes: every
 * RecurrentLayerTest and BidirectionalTest configuration still matches its float64 reference, and every
 * RecurrentStackTest chain gives bit for bit what the same calls give one after another.
 */
class CpuForkedLayersTest {
    /** Forks on a second thread, with chunks of one step so that small sequences split too. */
    private static final Backend FORKS = CpuBackend.create(true, 1);

    @AfterAll
    static void restore() {
        Jrnn.setBackend("cpu");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jrnn.layers.RecurrentLayerTest#configs")
    void recurrentLayersMatchTheirReferences(RecurrentLayerTest.Cfg c) {
        Jrnn.setBackend(FORKS);
        for (int rep = 0; rep < 3; rep++) new RecurrentLayerTest().forwardAndGradientsMatchReference(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jrnn.layers.BidirectionalTest#configs")
    void bidirectionalMatchesItsReferences(BidirectionalTest.Cfg c) {
        Jrnn.setBackend(FORKS);
        for (int rep = 0; rep < 3; rep++) {
            Jrnn.setSeed(5);
            new BidirectionalTest().forwardAndGradientsMatchReference(c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jrnn.layers.RecurrentStackTest#cases")
    void stacksGiveBitForBitTheSameCallsInOrder(RecurrentStackTest.Case c) {
        RecurrentStackTest.Result want = RecurrentStackTest.run(
                RecurrentStackTest.splitting(), c, true);   // recorded, run in program order
        for (int rep = 0; rep < 5; rep++) {
            RecurrentStackTest.Result got = RecurrentStackTest.run(FORKS, c, true);
            for (int k = 0; k < want.outputs().size(); k++) assertArrayEquals(want.outputs().get(k), got.outputs().get(k));
            assertArrayEquals(want.dx(), got.dx());
            for (int k = 0; k < want.grads().size(); k++) assertArrayEquals(want.grads().get(k), got.grads().get(k), "grad " + k);
        }
    }

    @Test
    void forkRunsBesideTheCallerAndJoinRethrows() throws Exception {
        CpuBackend be = CpuBackend.create(true);
        assertTrue(be.overlapsForks());
        Buf x = be.alloc(4);
        AtomicReference<Thread> ran = new AtomicReference<>();
        Fork f = be.fork(() -> {
            ran.set(Thread.currentThread());
            be.fill(x, 0, 4, 2f);
            assertSame(Fork.DONE, be.fork(() -> be.scale(4, 3f, x, 0)), "nested forks run in place");
        });
        f.join();
        f.join();
        float[] got = new float[4];
        be.download(x, 0, got, 0, 4);
        assertArrayEquals(new float[] {6, 6, 6, 6}, got);
        assertTrue(ran.get() != Thread.currentThread(), "the task ran on the fork thread");
        Fork bad = be.fork(() -> be.download(x, 0, new float[4], 0, 4));
        IllegalStateException e = assertThrows(IllegalStateException.class, bad::join);
        assertTrue(e.getMessage().contains("download cannot run inside a forked task"), e.getMessage());
        Fork boom = be.fork(() -> { throw new IllegalArgumentException("boom"); });
        assertEquals("boom", assertThrows(IllegalArgumentException.class, boom::close).getMessage());
        assertSame(Fork.DONE, CpuBackend.create(false).fork(() -> {}), "off: runs in place");
        x.close();
    }

    /**
     * Big enough that the forked gradient GEMMs and the caller's loop really run at the same time (32 x 64
     * steps, 8 chunks): the gradients, dx and outputs are bit for bit those of the same calls one after
     * another, ten times over. Accumulating the last chunk's gradients before joining the forks (a race
     * on the weight gradients) fails this.
     */
    @Test
    void aLargeLayerWithForkedChunksIsBitForBitTheInOrderRun() {
        for (String cell : new String[] {"lstm", "gru"}) {
            RecurrentStackTest.Case c = new RecurrentStackTest.Case(cell + " x2 big",
                    () -> java.util.List.of(RecurrentLayerTest.make(cell, 48).returnSequences(true),
                            RecurrentLayerTest.make(cell, 40).returnSequences(true)), true);
            RecurrentStackTest.Result want = RecurrentStackTest.runLayers(
                    RecurrentStackTest.splitting(), c, 32, 64, 24);
            for (int rep = 0; rep < 10; rep++) {
                RecurrentStackTest.Result got = RecurrentStackTest.runLayers(FORKS, c, 32, 64, 24);
                for (int k = 0; k < want.outputs().size(); k++) {
                    assertArrayEquals(want.outputs().get(k), got.outputs().get(k), cell + " output, repeat " + rep);
                }
                assertArrayEquals(want.dx(), got.dx(), cell + " dx, repeat " + rep);
                for (int k = 0; k < want.grads().size(); k++) {
                    assertArrayEquals(want.grads().get(k), got.grads().get(k), cell + " grad " + k + ", repeat " + rep);
                }
            }
        }
    }
}
