package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class DataBatchesTest {
    /** Five samples of two timesteps, sample i holding i and 10 + i; targets i * 100. */
    private static Data data(int[] lengths) {
        float[] x = new float[10], y = new float[5];
        for (int i = 0; i < 5; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 + i;
            y[i] = 100 * i;
        }
        return new Data(List.of(Tensor.of(x, 5, 2, 1)), Arrays.asList(Tensor.of(y, 5, 1), null), lengths, new int[] {0, 1, 2, 3, 4});
    }

    @Test
    void servesRowsInOrderWithASmallerLastBatch() {
        DataBatches b = new DataBatches(data(null), 2, 2);
        assertEquals(3, b.batches());
        assertArrayEquals(new boolean[] {true, false}, b.targets());
        b.startEpoch(false, new SplittableRandom(1));
        HostBatch last = b.batch(2);
        assertEquals(1, last.size());
        assertArrayEquals(new int[] {1, 2, 1}, last.xs().get(0).shape());
        assertArrayEquals(new float[] {4, 14}, last.xs().get(0).data());
        assertArrayEquals(new float[] {400}, last.ys().get(0).data());
        assertNull(last.ys().get(1));
        assertNull(last.mask());
    }

    @Test
    void shufflesAsFisherYatesWithTheGivenRandomAndKeepsSamplesWhole() {
        DataBatches b = new DataBatches(data(new int[] {2, 1, 0, 2, 1}), 5, 2);
        b.startEpoch(true, new SplittableRandom(7));
        int[] order = {0, 1, 2, 3, 4};
        SplittableRandom r = new SplittableRandom(7);
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        HostBatch h = b.batch(0);
        int[] lengths = {2, 1, 0, 2, 1};
        for (int i = 0; i < 5; i++) {
            int s = order[i];
            assertEquals(s, h.xs().get(0).data()[2 * i]);
            assertEquals(10 + s, h.xs().get(0).data()[2 * i + 1]);
            assertEquals(100 * s, h.ys().get(0).data()[i]);
            for (int t = 0; t < 2; t++) assertEquals(t < lengths[s] ? 1f : 0f, h.mask().data()[2 * i + t], "mask " + i + "," + t);
        }
    }

    @Test
    void aSubsetServesOnlyItsRows() {
        DataBatches b = new DataBatches(data(null).subset(3, 5), 8, 2);
        assertEquals(1, b.batches());
        assertEquals(2, b.batchSize());
        b.startEpoch(false, new SplittableRandom(1));
        assertArrayEquals(new float[] {300, 400}, b.batch(0).ys().get(0).data());
    }
}
