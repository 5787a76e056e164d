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

    static Stream<Arguments> splitCases() {
        return BidirectionalTest.configs().flatMap(c -> Stream.of(
                Arguments.of(c, RecordingBackend.Interleave.PROGRAM, 0L),
                Arguments.of(c, RecordingBackend.Interleave.MAIN_FIRST, 0L),
                Arguments.of(c, RecordingBackend.Interleave.RANDOM, 17L + c.toString().hashCode())));
    }

    /**
     * As on CUDA with two streams: the backend overlaps forks, so each direction's layer also splits its
     * work into chunks (forced here on small shapes): the forward direction's forks are made while the
     * backward direction's is open, and the backward direction's own forks are nested (run in order).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("splitCases")
    void directionsThatAlsoSplitTheirLoopsMatchTheReference(BidirectionalTest.Cfg c, RecordingBackend.Interleave order,
                                                            long seed) {
        int keep = RecurrentLayer.minChunkRows;
        RecurrentLayer.minChunkRows = 1;
        try {
            RecordingBackend be = new RecordingBackend(Backends.cpu()).overlapForks(true).interleave(order, seed);
            Jrnn.setBackend(be);
            Jrnn.setSeed(5);
            new BidirectionalTest().forwardAndGradientsMatchReference(c);
            assertEquals(0, be.openForks());
        } finally {
            RecurrentLayer.minChunkRows = keep;
        }
    }
}
