package dev.jrnn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.RecordingBackend;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On a backend that overlaps forks (CUDA with two streams), a recurrent layer on the per-step path forks
 * the input projection of each later chunk of steps before its forward loop (joining each just before its
 * first step), and its backward hands the weight gradients and dx of each finished chunk to
 * {@code Backend.fork} while the loop goes on. Here those splits are forced on small shapes (a backend whose {@code minForkRows} is 1), and the forked
 * calls run in the orders a device could choose ({@link RecordingBackend.Interleave}): every output and
 * gradient still matches the float64 reference of {@link RecurrentLayerTest} (all its configurations:
 * cells, masks, initial states, goBackwards, tbptt, no bias).
 */
class ForkedGradientsTest {
    @AfterAll
    static void restore() {
        Jrnn.setBackend("cpu");
    }

    static Stream<Arguments> cases() {
        return RecurrentLayerTest.configs().flatMap(c -> Stream.of(
                Arguments.of(c, RecordingBackend.Interleave.PROGRAM, 0L),
                Arguments.of(c, RecordingBackend.Interleave.MAIN_FIRST, 0L),
                Arguments.of(c, RecordingBackend.Interleave.RANDOM, 5L + c.toString().hashCode())));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void forkedChunksMatchTheReference(RecurrentLayerTest.Cfg c, RecordingBackend.Interleave order, long seed) {
        RecordingBackend be = RecurrentStackTest.splitting().interleave(order, seed);
        Jrnn.setBackend(be);
        new RecurrentLayerTest().forwardAndGradientsMatchReference(c);
        assertTrue(be.forks > 0, "the backward forked its gradient chunks");
    }

    @ParameterizedTest(name = "chunk rows {0}")
    @MethodSource("chunkRows")
    void chunkSizeFollowsTheRowFloorAndTheEightChunkCap(int rows, int expectForks) {
        RecordingBackend be = new RecordingBackend(Backends.cpu()).overlapForks(true).minForkRows(rows);
        Jrnn.setBackend(be);
        // B=3, T=40: chunk = max(ceil(40/8) = 5, ceil(rows/3)) steps; forward forks the projections of
        // chunks 1.., backward the gradients of all chunks but the first: chunks - 1 forks each way
        LSTM l = new LSTM(2);
        LayerCheck.runOnce(l, 3, 40, 2);
        assertEquals(expectForks, be.forks);
    }

    @Test
    void aForkThatFailsLeavesNoOtherForkOpen() {
        // T=5: the forward forks the projections of steps 1..4; the third fork fails with two still open
        RecordingBackend be = RecurrentStackTest.splitting().failFork(2);
        Jrnn.setBackend(be);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LayerCheck.runOnce(new GRU(2), 3, 5, 2));
        assertTrue(e.getMessage().contains("injected"), e.getMessage());
        assertEquals(0, be.openForks(), "the forks made before the failure were joined");
        LayerCheck.runOnce(new GRU(2), 3, 5, 2);   // the backend is still usable
        assertEquals(0, be.openForks());
    }

    static Stream<Arguments> chunkRows() {
        return Stream.of(Arguments.of(1, 14), Arguments.of(30, 6), Arguments.of(512, 0));
    }
}
