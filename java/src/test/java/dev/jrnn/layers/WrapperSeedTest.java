package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A wrapper's seed reaches the wrapped layers, as Keras' {@code seed=}: their dropout masks (a Bidirectional's two
 * directions different ones), not their weights, which follow Jrnn.setSeed (session 31; before, the seed pinned the
 * weights too).
 */
class WrapperSeedTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static Bidirectional bidi(long seed) {
        Bidirectional bi = new Bidirectional(new LSTM(3).dropout(0.2)).seed(seed);
        bi.build(new int[] {4, 2});
        return bi;
    }

    private static TimeDistributed td(long seed) {
        TimeDistributed td = new TimeDistributed(new Dropout(0.5)).seed(seed);
        td.build(new int[] {4, 2});
        return td;
    }

    @Test
    void bidirectionalSeedMakesBothDirectionsMasksReproducibleAndDifferent() {
        Jrnn.setSeed(1);
        Bidirectional a = bidi(42);
        Jrnn.setSeed(2);
        Bidirectional b = bidi(42);
        assertArrayEquals(a.forwardLayer().maskStream(), b.forwardLayer().maskStream(), "forward masks");
        assertArrayEquals(a.backwardLayer().maskStream(), b.backwardLayer().maskStream(), "backward masks");
        assertFalse(java.util.Arrays.equals(a.forwardLayer().maskStream(), a.backwardLayer().maskStream()), "the two directions' masks differ");
        // the weights follow Jrnn.setSeed, as Keras' global seed
        assertFalse(java.util.Arrays.equals(a.getWeights().get(0).toArray(), b.getWeights().get(0).toArray()), "weights under another setSeed");
    }

    @Test
    void timeDistributedSeedReachesTheWrappedLayersMasks() {
        Jrnn.setSeed(1);
        TimeDistributed a = td(7);
        Jrnn.setSeed(2);
        TimeDistributed b = td(7);
        assertArrayEquals(((Dropout) a.layer()).maskStream(), ((Dropout) b.layer()).maskStream());
    }

    /** Keras 3.15.1: Bidirectional(LSTM(4, dropout=.5, seed=5)) gives both directions seed 5, and different kernels. */
    @Test
    void bidirectionalsBackwardCopyKeepsTheLayersSeed() {
        Bidirectional b = new Bidirectional(new LSTM(4).recurrentDropout(0.3).seed(5));
        assertEquals(5L, b.forwardLayer().seed());
        assertEquals(5L, b.backwardLayer().seed(), "the backward copy's seed");
        Bidirectional u = new Bidirectional(new LSTM(4));
        assertNull(u.backwardLayer().seed(), "no seed stays none");
        b.build(new int[] {3, 2});
        assertFalse(java.util.Arrays.equals(b.forwardLayer().getWeights().get(0).toArray(), b.backwardLayer().getWeights().get(0).toArray()),
                "the two directions' kernels");
    }

    /** A layer class of its own, so that no other test's seed(...) took its one warning. */
    static final class SeedlessDense extends Dense {
        SeedlessDense() { super(8); }
    }

    /** seed(...) on a layer without masks seeds nothing since session 31: it warns, once per class, and does not refuse. */
    @Test
    void seedOnALayerWithoutMasksWarnsOncePerClass() throws Exception {
        List<String> warned = LogCapture.warnings(Layer.class.getName(), () -> {
            new SeedlessDense().seed(3);
            new SeedlessDense().seed(4);
            new Dropout(0.5).seed(3);
            new Bidirectional(new LSTM(2).dropout(0.1)).seed(3);
            new TimeDistributed(new Dropout(0.5)).seed(3);
        });
        assertEquals(1, warned.size(), warned.toString());
        assertTrue(warned.get(0).contains("seeds nothing") && warned.get(0).contains("Initializer.glorotUniform(3)"), warned.get(0));
    }
}
