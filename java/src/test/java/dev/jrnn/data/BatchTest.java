package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A batch's sample weights (tf.data's (x, y, w) elements): they travel with their samples through shuffle, map and files. */
class BatchTest {
    /** x = i, y = 10 i, w = 100 i for sample i, so every row of a batch says which sample it holds. */
    private static Tensor column(int n, float scale, int... unit) {
        int per = 1;
        for (int d : unit) per *= d;
        float[] v = new float[n * per];
        for (int i = 0; i < v.length; i++) v[i] = scale * (i / per);
        int[] shape = new int[unit.length + 1];
        shape[0] = n;
        System.arraycopy(unit, 0, shape, 1, unit.length);
        return Tensor.of(v, shape);
    }

    /** Each row's weights are its own sample's: weight = 100 x the row's input. */
    private static int assertRowsKeepTheirWeights(Dataset ds, int[] weightShape) throws IOException {
        int rows = 0;
        try (BatchStream s = ds.epoch(1)) {
            while (s.hasNext()) try (Batch b = s.next()) {
                assertEquals(1, b.sampleWeightCount());
                assertEquals(1, b.targetCount());
                Tensor w = b.sampleWeight(0);
                assertArrayEquals(new int[] {b.size(), weightShape[0], weightShape[1]}, new int[] {w.dim(0), w.rank() > 1 ? w.dim(1) : 1,
                        w.rank() > 2 ? w.dim(2) : 1});
                float[] x = b.input(0).data(), wd = w.data();
                int xr = x.length / b.size(), wr = wd.length / b.size();
                for (int r = 0; r < b.size(); r++) {
                    for (int j = 0; j < wr; j++) assertEquals(100 * x[r * xr], wd[r * wr + j], 0, "row " + r);
                    assertEquals(x[r * xr], (float) b.indices()[r], 0);
                }
                rows += b.size();
            }
        }
        return rows;
    }

    @Test
    void weightsFromTensorsAndFilesFollowTheShuffle(@TempDir Path dir) throws IOException {
        int n = 9;
        Tensor x = column(n, 1, 3), y = column(n, 10, 2), w = column(n, 100), wt = column(n, 100, 4);
        assertEquals(n, assertRowsKeepTheirWeights(Dataset.fromTensors(x, y, w).shuffle(5).batch(4), new int[] {1, 1}));
        assertEquals(n, assertRowsKeepTheirWeights(Dataset.fromTensors(x, y, wt).shuffle(6).batch(4), new int[] {4, 1}));
        // a map sees and keeps them
        Dataset mapped = Dataset.fromTensors(x, y, w).map(s -> {
            assertEquals(1, s.weights().size());
            return s.with(s.inputs(), s.targets());
        }).shuffle(7).batch(2);
        assertEquals(n, assertRowsKeepTheirWeights(mapped, new int[] {1, 1}));
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("y.npy"), y);
        Npy.write(dir.resolve("w.npy"), w);
        Dataset files = Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy"), dir.resolve("w.npy")).shuffle(8).batch(5);
        assertEquals(n, assertRowsKeepTheirWeights(files, new int[] {1, 1}));
        assertTrue(files.toString().contains("1 sample weights"), files.toString());
    }

    @Test
    void generatorSamplesCarryTheirWeights() throws IOException {
        List<Sample> samples = List.of(Sample.of(Tensor.full(1, 2), Tensor.full(10, 1), Tensor.full(100, 1)),
                Sample.of(Tensor.full(2, 2), Tensor.full(20, 1), Tensor.full(200, 1)));
        try (BatchStream s = Dataset.fromIterator(samples::iterator).batch(2).epoch(0); Batch b = s.next()) {
            assertArrayEquals(new float[] {100, 200}, b.sampleWeight(0).data());
            assertEquals(List.of(), Dataset.fromIterator(List.of(Sample.of(Tensor.full(1, 2), Tensor.full(1, 1)))::iterator).batch(1)
                    .epoch(0).next().sampleWeights());
        }
        // a generator whose samples disagree on having weights fails naming the sample
        List<Sample> mixed = List.of(samples.get(0), Sample.of(Tensor.full(3, 2), Tensor.full(30, 1)));
        try (BatchStream s = Dataset.fromIterator(mixed::iterator).batch(2).epoch(0)) {
            RuntimeException e = assertThrows(RuntimeException.class, s::next);
            assertTrue(e.getMessage().contains("1 inputs, 1 targets and 0 sample weights"), e.getMessage());
        }
    }
    /** select picks parts by index into a view sharing the batch's memory; closing the view closes the batch, and closing the batch its views. */
    @Test
    void selectPicksPartsInTheGivenOrder() throws IOException {
        Dataset d = Dataset.fromTensors(List.of(column(6, 1), column(6, 2)), List.of(column(6, 3), column(6, 4)),
                List.of(column(6, 5), column(6, 6)));
        try (BatchStream s = d.batch(2).epoch(0)) {
            Batch b = s.next();
            Batch v = b.select(new int[] {1, 0}, new int[] {1}, new int[0]);
            assertEquals(2, v.inputCount());
            assertEquals(1, v.targetCount());
            assertEquals(0, v.sampleWeightCount());
            assertArrayEquals(b.input(1).data(), v.input(0).data());
            assertArrayEquals(b.input(0).data(), v.input(1).data());
            assertArrayEquals(b.target(1).data(), v.target(0).data());
            assertEquals(b.where(1), v.where(1));
            v.close();
            assertThrows(IllegalStateException.class, () -> b.input(0));   // the batch is closed with its view
            try (Batch c = s.next()) {
                assertThrows(IndexOutOfBoundsException.class, () -> c.select(new int[] {2}, new int[0], new int[0]));
                assertThrows(IndexOutOfBoundsException.class, () -> c.select(new int[] {-1}, new int[0], new int[0]));   // -1: targets', weights' only
                // -1: a target (and weight) the view has none of, as a named data set's null target
                Batch none = c.select(new int[] {0}, new int[] {-1, 0}, new int[] {1, -1});
                assertEquals(2, none.targetCount());
                assertEquals(null, none.target(0));
                assertEquals(null, none.targetShape(0));
                assertArrayEquals(c.target(0).data(), none.target(1).data());
                assertArrayEquals(c.sampleWeight(1).data(), none.sampleWeight(0).data());
                assertEquals(null, none.sampleWeight(1));
                assertEquals(java.util.Arrays.asList(null, c.target(0)), none.targets());
                assertEquals("Batch.select: inputIndices is null; give an int[] of indices (new int[0] for none)",
                        assertThrows(IllegalArgumentException.class, () -> c.select(null, new int[0], new int[0])).getMessage());
                // closing the batch closes its views: their memory goes back with it (a recycling memory hands it to the next batch)
                Batch w = c.select(new int[] {0}, new int[0], new int[0]);
                c.close();
                assertThrows(IllegalStateException.class, () -> w.input(0));
                w.close();
            }
            // two views of one batch: closing the first closes the batch, and so the second
            try (Batch e = s.next()) {
                Batch v1 = e.select(new int[] {0}, new int[0], new int[0]), v2 = e.select(new int[] {1}, new int[0], new int[0]);
                v1.close();
                assertThrows(IllegalStateException.class, () -> v2.input(0));
                assertThrows(IllegalStateException.class, () -> v2.select(new int[] {0}, new int[0], new int[0]));
                v2.close();
            }
        }
    }
}
