package dev.jrnn.bench;

import dev.jrnn.Jrnn;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark harness's arithmetic and its train step, on tiny shapes (nothing here is timed). */
class HarnessTest {

    @Test
    void flopModelMatchesTheDocumentedCounts() {
        Shapes s = Shapes.parse("32x50x128x128");
        // LSTM: G = 4H = 512; forward 2*T*B*G*(I+H) = 2*50*32*512*256 = 419,430,400.
        assertEquals(419_430_400.0, s.forwardFlops(Shapes.Cell.LSTM));
        assertEquals(3 * 419_430_400.0, s.trainFlopsWithInputGradient(Shapes.Cell.LSTM));
        // without dx = dG·W^T (2*T*B*G*I = half the forward at I = H)
        assertEquals(2.5 * 419_430_400.0, s.trainFlops(Shapes.Cell.LSTM));
        // Shapes' Javadoc: the train step is 2*T*B*G*(2I + 3H), five products; at I != H too (GRU, G = 3H = 384)
        Shapes t = Shapes.parse("16x200x64x128");
        assertEquals(2.0 * 200 * 16 * 384 * (2 * 64 + 3 * 128), t.trainFlops(Shapes.Cell.GRU));
        assertEquals(6.0 * 200 * 16 * 384 * (64 + 128), t.trainFlopsWithInputGradient(Shapes.Cell.GRU));
        assertEquals(419_430_400.0 / 4, s.forwardFlops(Shapes.Cell.SIMPLE_RNN));
        assertEquals(419_430_400.0 * 3 / 4, s.forwardFlops(Shapes.Cell.GRU));
        assertEquals(131_584, s.lstmParams());   // 4*128*(128+128+1)
        assertEquals(new Shapes(4, 100, 256, 256), Shapes.parse("4x100x256"));
        assertThrows(IllegalArgumentException.class, () -> Shapes.parse("4x100"));
        assertThrows(IllegalArgumentException.class, () -> Shapes.parse("0x1x1x1"));
        assertEquals(2.0 * 1600 * 512 * 128, GemmBench.flops("1600x512x128"));
    }

    @Test
    void benchDataIsReproducibleNonZeroAndCycles() {
        Shapes s = new Shapes(2, 3, 4, 5);
        BenchData a = BenchData.random(s, 3, 9), b = BenchData.random(s, 3, 9);
        assertEquals(2 * 3 * 4, a.x(0).length);
        assertEquals(2 * 5, a.y(0).length);
        assertArrayEquals(a.x(1), b.x(1));
        assertArrayEquals(a.x(0), a.x(3));          // batch i mod count
        for (float v : a.x(2)) assertTrue(v >= -1 && v < 1 && v != 0, "value " + v);
        assertTrue(a.x(0)[0] != a.x(1)[0], "batches differ");
    }

    @Test
    void quantileInterpolatesBetweenSortedValues() {
        double[] d = {1, 2, 3, 4};
        assertEquals(2.5, GpuBench.quantile(d, 0.5), 1e-12);
        assertEquals(1.3, GpuBench.quantile(d, 0.1), 1e-12);
        assertEquals(4.0, GpuBench.quantile(d, 1.0), 1e-12);
        assertTrue(Double.isNaN(GpuBench.quantile(new double[0], 0.5)));
    }

    @Test
    void peakIsTheProductOfItsFactors() {
        CpuPeak p = new CpuPeak("test cpu", 2, 8, 2, 3.0, "given", "given");
        assertEquals(2 * 8 * 2 * 2 * 3.0, p.gflops(), 1e-9);
        assertEquals(50.0, p.percent(96.0), 1e-9);
        assertTrue(p.explain().contains("2 cores x 8 fp32 lanes x 2 FMA units x 2 FLOP/FMA x 3.000 GHz = 192.0 GFLOP/s"),
                p.explain());
    }

    @Test
    void trainStepLearnsAndAsyncStepMatchesTheSyncOne() {
        Jrnn.setBackend("cpu");
        Shapes s = new Shapes(4, 6, 3, 5);
        BenchData data = BenchData.random(s, 2, 3);
        for (Shapes.Cell cell : Shapes.Cell.values()) {
            try (JrnnTrainer sync = new JrnnTrainer(cell, s, data, 11);
                 JrnnTrainer async = new JrnnTrainer(cell, s, data, 11)) {
                assertEquals(s.forwardFlops(cell) / (2.0 * s.steps() * s.batch() * (s.in() + s.units())) * (s.in() + s.units() + 1)
                        + (cell == Shapes.Cell.GRU ? 3 * s.units() : 0), sync.paramCount(), 1e-9, cell + " parameter count");
                float first = sync.loss(0);
                for (int i = 0; i < 40; i++) {
                    float ls = sync.trainStep(0);
                    async.trainStepAsync(0);
                    assertEquals(ls, async.lastLoss(), 1e-6f * Math.max(1f, Math.abs(ls)), cell + " step " + i);
                }
                float last = sync.loss(0);
                assertTrue(last < first, cell + ": loss went from " + first + " to " + last);
                assertTrue(!async.captureSteps(), "the CPU backend cannot capture graphs");
            }
        }
    }

    @Test
    void bidirectionalTrainerHasTwiceTheWeightsAndLearns() {
        Jrnn.setBackend("cpu");
        Shapes s = new Shapes(3, 5, 4, 6);
        BenchData data = BenchData.random(s, 2, 9);
        try (JrnnTrainer one = new JrnnTrainer(Shapes.Cell.LSTM, s, data, 5);
             JrnnTrainer bi = new JrnnTrainer(Shapes.Cell.LSTM, s, data, 5, true);
             JrnnTrainer biAsync = new JrnnTrainer(Shapes.Cell.LSTM, s, data, 5, true)) {
            assertEquals(2 * s.lstmParams(), bi.paramCount());
            assertEquals(s.lstmParams(), one.paramCount());
            float first = bi.loss(1);
            for (int i = 0; i < 30; i++) {
                float ls = bi.trainStep(1);
                biAsync.trainStepAsync(1);
                assertEquals(ls, biAsync.lastLoss(), 1e-6f * Math.max(1f, Math.abs(ls)), "step " + i);
            }
            assertTrue(bi.loss(1) < first, "the Bidirectional step learns");
        }
        assertEquals("bi-lstm", GpuBench.cellLabel(Shapes.Cell.LSTM, true));
        assertEquals("gru", GpuBench.cellLabel(Shapes.Cell.GRU, false));
    }
}
