package dev.jrnn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.RecordingBackend;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bidirectional's two directions go through {@code Backend.runConcurrently}, which the CUDA backend can
 * run on two streams. Here the directions' calls run in the orders a device could choose
 * ({@link RecordingBackend.Interleave}: the backward direction's calls first, or randomly interleaved
 * with the forward direction's) and outputs and every gradient are still checked against the float64
 * reference of {@link BidirectionalTest}: a hidden dependency between the directions would fail it.
 */
class BidirectionalInterleavingTest {

    @AfterAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    static Stream<Arguments> cases() {
        return BidirectionalTest.configs().flatMap(c -> Stream.of(
                Arguments.of(c, RecordingBackend.Interleave.MAIN_FIRST, 0L),
                Arguments.of(c, RecordingBackend.Interleave.RANDOM, 11L + c.toString().hashCode())));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void directionsInAnyOrderMatchTheReference(BidirectionalTest.Cfg c, RecordingBackend.Interleave order, long seed) {
        RecordingBackend be = new RecordingBackend(Backends.cpu()).interleave(order, seed);
        Jrnn.setBackend(be);
        Jrnn.setSeed(5);
        new BidirectionalTest().forwardAndGradientsMatchReference(c);
        assertTrue(be.forks >= 2, "forward and backward each ran as one concurrent region, got "
                + be.forks);
    }

    @org.junit.jupiter.api.Test
    void theDirectionsRunUnsplitAndOneLayerNeverForks() {
        // The second stream takes the other direction; a layer's own loop is never split into forks (the chunked
        // projections and gradients lost on the H200, benchmarks/RESULTS.md)
        RecordingBackend be = RecurrentStackTest.splitting();
        Jrnn.setBackend(be);
        LayerCheck.runOnce(new Bidirectional(new LSTM(2).returnSequences(true)), 3, 6, 2);
        assertEquals(2, be.forks, "one fork per pass: the backward direction");
        be.forks = 0;
        LayerCheck.runOnce(new LSTM(2).returnSequences(true), 3, 6, 2);
        assertEquals(0, be.forks, "a plain layer runs its loop unsplit");
    }

    static Stream<Arguments> splitCases() {
        return BidirectionalTest.configs().flatMap(c -> Stream.of(
                Arguments.of(c, RecordingBackend.Interleave.PROGRAM, 0L),
                Arguments.of(c, RecordingBackend.Interleave.MAIN_FIRST, 0L),
                Arguments.of(c, RecordingBackend.Interleave.RANDOM, 17L + c.toString().hashCode())));
    }

    /**
     * As on CUDA with two streams: the backend overlaps forks (and chunks are forced small, as a layer would
     * split its loop): the directions still run unsplit, each on its stream, and match the references.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("splitCases")
    void onABackendThatOverlapsForksTheDirectionsMatchTheReference(BidirectionalTest.Cfg c, RecordingBackend.Interleave order,
                                                            long seed) {
        RecordingBackend be = RecurrentStackTest.splitting().interleave(order, seed);
        Jrnn.setBackend(be);
        Jrnn.setSeed(5);
        new BidirectionalTest().forwardAndGradientsMatchReference(c);
        assertEquals(0, be.openForks());
    }
}
