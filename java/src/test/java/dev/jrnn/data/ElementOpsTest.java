package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The element operations' streaming properties, which the tf.data goldens (TfDataGoldensTest) do not show: what is read,
 * what is held, what is closed, and how the counts combine.
 */
class ElementOpsTest {
    private static Dataset range(int n) {
        return TfDataGoldensTest.source(0, n, true, false);
    }

    private static List<Integer> read(Dataset ds, int epoch) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (Object[] b : TfDataGoldensTest.batches(ds, epoch)) for (float v : (float[]) b[0]) out.add((int) v);
        return out;
    }

    /** A table's shard reads only its own samples (its order picks the positions): the map before it sees 1, 4, 7 only. */
    @Test
    void shardOfATableReadsOnlyItsSamples() throws IOException {
        List<Long> mapped = new java.util.concurrent.CopyOnWriteArrayList<>();
        Dataset ds = range(10).map(s -> {
            mapped.add(s.index());
            return s;
        }).shard(3, 1).batch(2);
        assertEquals(List.of(1, 4, 7), read(ds, 0));
        assertEquals(List.of(1L, 4L, 7L), mapped);
        assertEquals(2, ds.cardinality());
    }

    /** A window holds at most (size - 1) * stride + 1 samples: its first is made after reading that many of a generator. */
    @Test
    void windowReadsNoMoreThanItsSpan() throws IOException {
        AtomicInteger pulled = new AtomicInteger();
        Dataset gen = Dataset.fromIterator(() -> new Iterator<Sample>() {   // endless: a window must not read ahead
            int i;
            public boolean hasNext() { return true; }
            public Sample next() {
                pulled.incrementAndGet();
                return Sample.of(Tensor.of(new float[] {i++}, 1), null);
            }
        });
        Dataset ds = gen.window(3, 2, 2, true).batch(1).prefetch(0);
        assertEquals(Dataset.UNKNOWN, ds.cardinality());
        try (BatchStream s = ds.epoch(0)) {
            try (Batch b = s.next()) {
                assertArrayEquals(new int[] {1, 3, 1}, b.input(0).shape());
                assertArrayEquals(new float[] {0, 2, 4}, b.input(0).data());
            }
            assertEquals(5, pulled.get(), "the span of a window of 3 with stride 2");
            try (Batch b = s.next()) {
                assertArrayEquals(new float[] {2, 4, 6}, b.input(0).data());
            }
            assertEquals(7, pulled.get());
        }
    }

    /** Without dropRemainder windows are sequences: the short last ones pad in a batch, their lengths mask the padding. */
    @Test
    void shortWindowsArePaddedAndMasked() throws IOException {
        try (BatchStream s = range(7).window(3, 2, 1, false).batch(2).epoch(0)) {
            s.next().close();
            try (Batch b = s.next()) {
                assertArrayEquals(new float[] {4, 5, 6, 6, 0, 0}, b.input(0).data());
                assertArrayEquals(new float[] {4, 5, 6, 6, 0, 0}, b.target(0).data());
                assertArrayEquals(new int[] {3, 1}, b.lengths());
            }
        }
    }

    /**
     * A cache kept from a pass read to its end runs the map once for every later epoch; a pass cut short (take after it)
     * keeps nothing, as tf.data discards a partial cache.
     */
    @Test
    void cacheKeepsOnlyAWholePass() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        Dataset mapped = range(6).map(s -> {
            calls.incrementAndGet();
            return s;
        });
        Dataset whole = mapped.cache().batch(4);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), read(whole, 0));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), read(whole, 1));
        assertEquals(6, calls.get());
        calls.set(0);
        Dataset cut = mapped.cache().take(2).batch(4);
        read(cut, 0);
        read(cut, 1);
        assertEquals(4, calls.get(), "no pass of the cache was read to its end");
    }

    /** A filter of an endless set streams (nothing is gathered first): take after it ends the epoch. */
    @Test
    void filterOfAnEndlessSetStreams() throws IOException {
        Dataset ds = range(5).repeat().filter(s -> s.inputs().get(0).data()[0] % 2 == 1).take(5).batch(5);
        assertEquals(List.of(1, 3, 1, 3, 1), read(ds, 0));
        assertEquals(Dataset.UNKNOWN, ds.cardinality(), "tf.data: a take of an unknown count is unknown");
        assertEquals(Dataset.INFINITE, range(5).repeat().cardinality());
    }

    /** concatenate closes the first generator's iterator when it moves on to the second; zip closes both at the end. */
    @Test
    void concatenateAndZipCloseTheirIterators() throws IOException {
        List<String> closed = new java.util.concurrent.CopyOnWriteArrayList<>();
        Dataset a = closing("a", 3, closed), b = closing("b", 2, closed);
        assertEquals(List.of(0, 1, 2, 0, 1), read(a.concatenate(b).batch(2), 0));
        assertEquals(List.of("a", "b"), closed);
        closed.clear();
        read(Dataset.zip(closing("x", 3, closed), closing("y", 2, closed)).batch(8), 0);
        assertEquals(List.of("x", "y"), closed);
    }

    private static Dataset closing(String name, int n, List<String> closed) {
        return Dataset.fromIterator(() -> {
            Iterator<Sample> it = TfDataGoldensTest.range(0, n, false).iterator();
            return new CloseableSamples(it, () -> closed.add(name));
        });
    }

    private record CloseableSamples(Iterator<Sample> it, Runnable onClose) implements Iterator<Sample>, AutoCloseable {
        public boolean hasNext() { return it.hasNext(); }
        public Sample next() { return it.next(); }
        public void close() { onClose.run(); }
    }

    /** A file's checks still run at the epoch's start once its samples stream: an int64 file needs asFloat32, after a filter too. */
    @Test
    void aStreamedFileIsCheckedAsItsTable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
        java.nio.file.Path x = dir.resolve("x.npy");
        Npy.writeInt64(x, new long[] {1, 2, 3, 4});
        Dataset ds = Dataset.fromNpy(x, null).filter(s -> s.inputs().get(0).data()[0] > 1).concatenate(range(2)).batch(8);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ds.epoch(0).close());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("x.npy") && e.getMessage().contains("asFloat32"), e.getMessage());
        assertEquals(List.of(2, 3, 4), read(Dataset.fromNpy(x, null).filter(s -> s.inputs().get(0).data()[0] > 1).asFloat32().batch(8), 0));
    }

    /** The counts combine as tf.data's: known + known, unknown beside known, endless beside anything. */
    @Test
    void countsCombineAsTfData() {
        Dataset gen = Dataset.fromIterator(() -> TfDataGoldensTest.range(0, 3, true).iterator());
        assertEquals(7, range(3).concatenate(range(4)).cardinality());
        assertEquals(Dataset.UNKNOWN, range(3).concatenate(gen).cardinality());
        assertEquals(Dataset.INFINITE, gen.concatenate(range(3).repeat()).cardinality());
        assertEquals(Dataset.INFINITE, range(3).repeat().concatenate(gen).cardinality());
        assertEquals(4, range(3).concatenate(range(4)).batch(2).cardinality());
        assertEquals(3, range(3).concatenate(range(4)).shard(2, 1).cardinality());
        assertEquals(Dataset.INFINITE, range(3).repeat().shard(2, 1).cardinality());
        assertEquals(0, range(3).repeat(0).cardinality());
        assertEquals(0, gen.repeat(0).cardinality());
        assertEquals(Dataset.UNKNOWN, gen.take(-1).cardinality());
        assertEquals(4, range(4).cache().cardinality());
        assertEquals(6, range(7).batch(3, true).unbatch().cardinality());
        assertEquals(Dataset.INFINITE, range(7).batch(3).repeat().unbatch().cardinality());
    }

    /**
     * unbatch's count, as TF 2.21's cardinality(): range(10).batch(5).unbatch() is UNKNOWN although every batch is full
     * (jrnn said 10), and with .batch(4) still UNKNOWN; with drop_remainder the batch axis is static: 10.
     */
    @Test
    void unbatchKnowsItsCountOnlyWhereTheBatchDropsItsRemainder() {
        assertEquals(Dataset.UNKNOWN, range(10).batch(5).unbatch().cardinality());
        assertEquals(Dataset.UNKNOWN, range(10).batch(5).unbatch().batch(4).cardinality());
        assertEquals(10, range(10).batch(5, true).unbatch().cardinality());
        assertEquals(3, range(10).batch(3, true).unbatch().batch(4).cardinality());   // 9 samples: batches of 4, 4, 1
    }

    /**
     * tf.data refuses at concatenate() samples of another structure (TF 2.21: "TypeError: Incompatible dataset elements");
     * jrnn refused them only at the epoch, in words that did not name concatenate. Two tables are compared at the call.
     */
    @Test
    void concatenateOfTablesOfAnotherStructureIsRefusedAtTheCall() {
        Dataset withTargets = Dataset.fromTensors(Tensor.zeros(3, 1), Tensor.zeros(3, 1));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> withTargets.concatenate(Dataset.fromTensors(Tensor.zeros(2, 1), null)));
        assertEquals("Dataset.concatenate: other: expected samples of 1 targets as this data set's, got 0", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> range(3).concatenate(Dataset.fromTensors(Tensor.zeros(3, 2), Tensor.zeros(3, 1))));
        assertEquals("Dataset.concatenate: other: inputs 0: expected samples of shape (1,) as this data set's, got samples of shape (2,)",
                e.getMessage());
        assertEquals(5, range(3).concatenate(range(2)).cardinality(), "the same structure concatenates");
    }
}
