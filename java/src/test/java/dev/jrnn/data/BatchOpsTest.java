package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import static dev.jrnn.data.DatasetTest.checkRows;
import static dev.jrnn.data.DatasetTest.drain;
import static dev.jrnn.data.DatasetTest.ragged;
import static dev.jrnn.data.DatasetTest.x;
import static dev.jrnn.data.DatasetTest.y;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * take, skip, repeat, shuffle after batch (BatchOps) against tf.data's meaning, written out by hand: the sample ids of
 * every batch, for a table (in memory, mapped) and a generator of the same samples, plain and bucketed, dropRemainder
 * both ways; the counts (size, batchesPerEpoch, endless) as tf.data's cardinality.
 */
class BatchOpsTest {
    /** The samples of x(n), y(n) from a generator (a fresh iterator each pass, numbered 0.. as the table's indices). */
    static Dataset generator(int n) {
        float[] xs = x(n).data();
        return Dataset.fromIterator(() -> java.util.stream.IntStream.range(0, n).mapToObj(i -> Sample.of(
                Tensor.of(Arrays.copyOfRange(xs, i * 6, i * 6 + 6), 3, 2), Tensor.of(new float[] {i, -i}, 2))).iterator());
    }

    /** The sources of the same 5 samples: in memory, in memory through an identity map, a generator. */
    private static List<Dataset> sources(int n) {
        return List.of(Dataset.fromTensors(x(n), y(n)), Dataset.fromTensors(x(n), y(n)).map(s -> s), generator(n));
    }

    /** The sample ids of every batch of epoch {@code e}, each batch's rows checked against its ids. */
    static List<List<Long>> ids(Dataset ds, int e) throws IOException {
        List<long[]> idx = new ArrayList<>();
        List<float[][]> b = drain(ds, e, idx, null);
        checkRows(b, idx);
        return idx.stream().map(a -> Arrays.stream(a).boxed().toList()).toList();
    }

    private static List<List<Long>> batches(long[]... b) {
        return Arrays.stream(b).map(a -> Arrays.stream(a).boxed().toList()).toList();
    }

    private static long[] b(long... ids) { return ids; }

    private static void expect(UnaryOperator<Dataset> ops, List<List<Long>> want, String what) throws IOException {
        for (Dataset src : sources(5)) {
            Dataset ds = ops.apply(src);
            for (int e = 0; e < 2; e++) assertEquals(want, ids(ds, e), what + " of " + src + ", epoch " + e);
        }
    }

    /** tf.data on range(5): each line is what {@code list(ds.as_numpy_iterator())} gives, written out by hand. */
    @Test
    void takeSkipRepeatAfterBatchCountBatchesAsTfData() throws IOException {
        expect(d -> d.batch(3).repeat(2), batches(b(0, 1, 2), b(3, 4), b(0, 1, 2), b(3, 4)), "batch(3).repeat(2)");
        expect(d -> d.repeat(2).batch(3), batches(b(0, 1, 2), b(3, 4, 0), b(1, 2, 3), b(4)), "repeat(2).batch(3)");
        expect(d -> d.batch(2).take(2), batches(b(0, 1), b(2, 3)), "batch(2).take(2)");
        expect(d -> d.batch(2).take(9), batches(b(0, 1), b(2, 3), b(4)), "batch(2).take(9)");
        expect(d -> d.batch(2).skip(1), batches(b(2, 3), b(4)), "batch(2).skip(1)");
        expect(d -> d.batch(2).skip(3), batches(), "batch(2).skip(3)");
        expect(d -> d.batch(2).skip(1).take(1), batches(b(2, 3)), "batch(2).skip(1).take(1)");
        expect(d -> d.batch(2).take(2).repeat(2), batches(b(0, 1), b(2, 3), b(0, 1), b(2, 3)), "batch(2).take(2).repeat(2)");
        expect(d -> d.batch(2).repeat().take(5), batches(b(0, 1), b(2, 3), b(4), b(0, 1), b(2, 3)), "batch(2).repeat().take(5)");
        expect(d -> d.batch(2).repeat().skip(2).take(3), batches(b(4), b(0, 1), b(2, 3)), "batch(2).repeat().skip(2).take(3)");
        expect(d -> d.batch(2).repeat(3).skip(4).take(10), batches(b(2, 3), b(4), b(0, 1), b(2, 3), b(4)), "batch(2).repeat(3).skip(4)");
        expect(d -> d.batch(2, true).repeat(2), batches(b(0, 1), b(2, 3), b(0, 1), b(2, 3)), "batch(2, drop).repeat(2)");
        expect(d -> d.batch(2, true).skip(1).repeat(2), batches(b(2, 3), b(2, 3)), "batch(2, drop).skip(1).repeat(2)");
        expect(d -> d.skip(1).take(3).batch(2).repeat(2), batches(b(1, 2), b(3), b(1, 2), b(3)), "skip(1).take(3).batch(2).repeat(2)");
        expect(d -> d.batch(2).shuffle(3, 1), batches(b(0, 1), b(2, 3), b(4)), "batch(2).shuffle(buffer 1): tf.data's no-op");
        expect(d -> d.batch(2).prefetch(0).take(2), batches(b(0, 1), b(2, 3)), "batch(2).prefetch(0).take(2)");
        expect(d -> d.batch(2).take(2).prefetch(3).repeat(2).take(3), batches(b(0, 1), b(2, 3), b(0, 1)), "prefetch among them");
        expect(d -> d.batch(2).take(0).repeat(), batches(), "repeat() of no batch: empty, as tf.data");
    }

    /** Ragged sequences of lengths 1 5 2 6 3 7 1, bucketed by 2 at boundary 4: [0 2] [1 3] [4 6], then the partial [5]. */
    @Test
    void bucketedBatchesTakeSkipAndRepeatAsBatches() throws IOException {
        int[] lens = {1, 5, 2, 6, 3, 7, 1};
        Dataset table = ragged(lens, false);
        Dataset gen = Dataset.fromIterator(() -> java.util.stream.IntStream.range(0, lens.length).mapToObj(i -> {
            float[] v = new float[lens[i] * 2];
            for (int t = 0; t < lens[i]; t++) {
                v[2 * t] = i;
                v[2 * t + 1] = t + 1;
            }
            return Sample.sequence(Tensor.of(v, lens[i], 2), Tensor.of(new float[] {i, -i}, 2));
        }).iterator());
        for (Dataset src : List.of(table, table.map(s -> s), gen)) {
            Dataset bucketed = src.bucketByLength(2, false, 4), dropped = src.bucketByLength(2, true, 4);
            assertEquals(batches(b(0, 2), b(1, 3), b(4, 6), b(5)), bucketIds(bucketed), src.toString());
            assertEquals(batches(b(0, 2), b(1, 3), b(4, 6), b(5), b(0, 2), b(1, 3), b(4, 6), b(5)), bucketIds(bucketed.repeat(2)));
            assertEquals(batches(b(1, 3), b(4, 6)), bucketIds(bucketed.skip(1).take(2)));
            assertEquals(batches(b(0, 2), b(1, 3), b(4, 6), b(5), b(0, 2)), bucketIds(bucketed.repeat().take(5)));
            assertEquals(batches(b(0, 2), b(1, 3), b(4, 6), b(0, 2), b(1, 3), b(4, 6)), bucketIds(dropped.repeat(2)));
            assertEquals(batches(b(4, 6), b(0, 2)), bucketIds(dropped.repeat().skip(2).take(2)));
            assertEquals(-1, bucketed.repeat(2).batchesPerEpoch(), "tf.data: a bucketed set's cardinality is unknown");
            assertTrue(bucketed.repeat().endless());
            assertEquals(5, bucketed.repeat().take(5).batchesPerEpoch());
        }
        assertEquals(14, table.bucketByLength(2, false, 4).repeat(2).size(), "every sample twice");
    }

    /** The ids of each batch of epoch 0, its rows checked: sample i's steps are (i, t + 1), as long as its length. */
    private static List<List<Long>> bucketIds(Dataset ds) throws IOException {
        List<long[]> idx = new ArrayList<>();
        List<int[]> lens = new ArrayList<>();
        List<float[][]> got = drain(ds, 0, idx, lens);
        for (int k = 0; k < got.size(); k++) {
            int hi = Arrays.stream(lens.get(k)).max().getAsInt();
            for (int r = 0; r < idx.get(k).length; r++) {
                assertEquals(idx.get(k)[r], got.get(k)[0][r * hi * 2], "row " + r + " of batch " + k);
                assertEquals(-idx.get(k)[r], got.get(k)[1][r * 2 + 1]);
            }
        }
        return idx.stream().map(a -> Arrays.stream(a).boxed().toList()).toList();
    }

    /**
     * shuffle after batch moves whole batches through a buffer of batches (tf.data's batch(4).shuffle(n)): every epoch and
     * every pass of a repeat after it is a fresh order of the same batches; with a buffer of 3 the k-th batch out is one of
     * the first k + 3 in; the same seed gives the same order.
     */
    @Test
    void shuffleAfterBatchMovesWholeBatches() throws IOException {
        for (Dataset src : sources(20)) {
            List<List<Long>> plain = ids(src.batch(4), 0);   // [0..3] [4..7] ... [16..19]
            Dataset shuffled = src.batch(4).shuffle(9);
            List<List<Long>> e0 = ids(shuffled, 0), e1 = ids(shuffled, 1);
            assertEquals(new HashSet<>(plain), new HashSet<>(e0), "the same batches, whole");
            assertEquals(new HashSet<>(plain), new HashSet<>(e1));
            assertNotEquals(e0, e1, "a fresh order each epoch");
            assertEquals(e0, ids(shuffled, 0), "the seed and the epoch pick it");
            List<List<Long>> two = ids(shuffled.repeat(2), 0);
            assertEquals(new HashSet<>(plain), new HashSet<>(two.subList(0, 5)));
            assertEquals(new HashSet<>(plain), new HashSet<>(two.subList(5, 10)));
            assertNotEquals(two.subList(0, 5), two.subList(5, 10), "a fresh order each pass");
            // the brief's chain: batch(4).shuffle(1).take(3).repeat(2): 3 of the 5 batches, then 3 (other) of them
            List<List<Long>> chain = ids(src.batch(4).shuffle(1).take(3).repeat(2), 0);
            assertEquals(6, chain.size());
            for (List<Long> c : chain) assertTrue(plain.contains(c), c + " is a whole batch");
            for (long seed = 0; seed < 20; seed++) {
                List<List<Long>> got = ids(src.batch(1).take(10).shuffle(seed, 3), 0);
                for (int k = 0; k < got.size(); k++) assertTrue(got.get(k).get(0) < k + 3, "buffer of 3: batch " + k + " is " + got.get(k));
                assertEquals(10, new HashSet<>(got).size());
            }
        }
    }

    /**
     * A shuffle after batch draws by the sample shuffle's rule (Order.epochDraws of its seed and the data epoch), as tf.data's
     * two shuffles of one seed draw alike: for a buffer smaller than the data, or a generator, batch(1).shuffle(seed, b)
     * gives shuffle(seed, b).batch(1)'s order in every epoch, reshuffled or not. It kept a key of its own
     * (seed ^ (epoch + 1) * a constant), another order. In memory with a buffer >= the data the orders differ (below).
     */
    @Test
    void aShuffleAfterBatchDrawsAsTheSampleShuffleOfItsSeed() throws IOException {
        for (Dataset src : sources(12)) {
            for (long seed = 0; seed < 4; seed++) {
                for (int e = 0; e < 3; e++) {
                    assertEquals(ids(src.shuffle(seed, 5).batch(1), e), ids(src.batch(1).shuffle(seed, 5), e), "seed " + seed + ", epoch " + e);
                    assertEquals(ids(src.shuffle(seed, 5, false).batch(1), e), ids(src.batch(1).shuffle(seed, 5, false), e),
                            "seed " + seed + ", epoch " + e + ", not reshuffled");
                }
            }
        }
    }

    /**
     * Not equal, and pinned so: in memory a sample shuffle with a buffer >= the data, or shuffle(seed), is a full
     * Fisher-Yates (OrderOps), while a shuffle after batch always goes through tf.data's buffer, so batch(1).shuffle(seed, b)
     * orders otherwise than shuffle(seed, b).batch(1) there (tf.data gives them one order for buffers 5, 12 and 100 of 12
     * samples). A generator's sample shuffle buffers whatever its buffer, and its two orders stay equal.
     */
    @Test
    void inMemoryAFullSampleShuffleOrdersOtherwiseThanAShuffleAfterBatch1() throws IOException {
        Dataset table = Dataset.fromTensors(x(12), y(12)), gen = generator(12);
        for (long seed = 0; seed < 3; seed++) {
            for (int buffer : new int[] {12, 100}) {
                assertNotEquals(ids(table.shuffle(seed, buffer).batch(1), 0), ids(table.batch(1).shuffle(seed, buffer), 0),
                        "in memory, seed " + seed + ", buffer " + buffer);
                assertEquals(ids(gen.shuffle(seed, buffer).batch(1), 0), ids(gen.batch(1).shuffle(seed, buffer), 0),
                        "a generator, seed " + seed + ", buffer " + buffer);
            }
            assertNotEquals(ids(table.shuffle(seed).batch(1), 0), ids(table.batch(1).shuffle(seed), 0), "in memory, shuffle(" + seed + ")");
            assertEquals(ids(gen.shuffle(seed).batch(1), 0), ids(gen.batch(1).shuffle(seed), 0), "a generator, shuffle(" + seed + ")");
        }
    }

    /**
     * A shuffle before batch reshuffles every pass of a repeat after batch (tf.data's reshuffle_each_iteration): each pass is
     * a permutation of all samples ending with its own partial batch; pass p of epoch e is the sample shuffle's epoch 2e + p.
     */
    @Test
    void aSampleShuffleBeforeBatchReshufflesEachPassOfARepeatAfterIt() throws IOException {
        for (Dataset src : List.of(Dataset.fromTensors(x(10), y(10)), generator(10))) {
            Dataset passes = src.shuffle(7, 4).batch(3).repeat(2), one = src.shuffle(7, 4).batch(3);
            for (int e = 0; e < 2; e++) {
                List<List<Long>> got = ids(passes, e);
                assertEquals(8, got.size());
                List<List<Long>> p0 = got.subList(0, 4), p1 = got.subList(4, 8);
                assertEquals(List.of(3, 3, 3, 1), p0.stream().map(List::size).toList());
                assertEquals(List.of(3, 3, 3, 1), p1.stream().map(List::size).toList());
                assertEquals(ids(one, 2 * e), p0);
                assertEquals(ids(one, 2 * e + 1), p1);
                assertNotEquals(p0, p1);
                Set<Long> all = new HashSet<>();
                p1.forEach(all::addAll);
                assertEquals(10, all.size(), "a pass holds every sample once");
            }
        }
    }

    /** skip after batch passes over groups of positions: the skipped samples of a table are never read (nor mapped). */
    @Test
    void skipAfterBatchReadsNoSkippedSample() throws IOException {
        List<Long> read = new CopyOnWriteArrayList<>();
        UnaryOperator<Sample> counting = s -> {
            read.add(s.index());
            return s;
        };
        Dataset ds = Dataset.fromTensors(x(10), y(10)).map(counting).batch(2);
        assertEquals(batches(b(6, 7), b(8, 9)), ids(ds.skip(3), 0));
        assertEquals(List.of(6L, 7L, 8L, 9L), read);
        read.clear();
        List<List<Long>> got = ids(Dataset.fromTensors(x(10), y(10)).shuffle(3).map(counting).batch(2).repeat().skip(7).take(2), 1);
        assertEquals(got.stream().flatMap(List::stream).toList(), read, "only the samples of the two batches given");
        read.clear();
        ids(Dataset.fromTensors(x(10), y(10)).map(counting).batch(2).shuffle(5).take(1), 0);
        assertEquals(2, read.size(), "a buffer of batches holds positions, not samples");
    }

    /** A generator's iterator that is AutoCloseable is closed once per pass of a repeat after batch, and by a take that stops early. */
    @Test
    void eachPassOfAGeneratorIsClosedAfterBatchToo() throws IOException {
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger(), closed = new java.util.concurrent.atomic.AtomicInteger();
        float[] xs = x(5).data();
        Dataset gen = Dataset.fromIterator(() -> {
            opened.incrementAndGet();
            class Closing implements java.util.Iterator<Sample>, AutoCloseable {
                int i;
                public boolean hasNext() { return i < 5; }
                public Sample next() {
                    int k = i++;
                    return Sample.of(Tensor.of(Arrays.copyOfRange(xs, k * 6, k * 6 + 6), 3, 2), Tensor.of(new float[] {k, -k}, 2));
                }
                public void close() { closed.incrementAndGet(); }
            }
            return new Closing();
        });
        assertEquals(6, ids(gen.batch(2).repeat(2), 0).size());
        assertEquals(2, opened.get());
        assertEquals(2, closed.get());
        assertEquals(batches(b(0, 1), b(2, 3), b(4), b(0, 1)), ids(gen.batch(2).repeat().take(4), 0));
        assertEquals(4, opened.get());
        assertEquals(4, closed.get(), "the pass a take stopped in is closed with the stream");
    }

    /** size, batchesPerEpoch and endless after the batch operations, as tf.data's cardinality (in batches). */
    @Test
    void countsFollowTheBatchOperations() {
        Dataset t = Dataset.fromTensors(x(5), y(5)), g = generator(5);
        Object[][] cases = {   // dataset, samples per epoch, batches per epoch, endless
                {t.batch(2), 5L, 3L, false},
                {t.batch(2).take(2), 4L, 2L, false},
                {t.batch(2).take(9), 5L, 3L, false},
                {t.batch(2).skip(1), 3L, 2L, false},
                {t.batch(2).skip(3), 0L, 0L, false},
                {t.batch(2, true).skip(1), 2L, 1L, false},
                {t.batch(2).repeat(3), 15L, 9L, false},
                {t.batch(2, true).repeat(3), 12L, 6L, false},
                {t.batch(2).repeat(), -1L, -1L, true},
                {t.batch(2).repeat().take(7), 12L, 7L, false},   // 2 2 1 | 2 2 1 | 2
                {t.batch(2).repeat().skip(2).take(3), 5L, 3L, false},   // 1 | 2 2
                {t.batch(2).repeat().skip(2), -1L, -1L, true},
                {t.batch(2).shuffle(1), 5L, 3L, false},
                {t.batch(2).shuffle(1).take(2), -1L, 2L, false},   // the batch of 1 may be among them
                {t.batch(2, true).shuffle(1).take(1), 2L, 1L, false},
                {t.batch(5).shuffle(1).repeat().take(3), 15L, 3L, false},
                {t.batch(2).shuffle(1).repeat().take(4), -1L, 4L, false},
                {t.batch(2).take(0).repeat(), 0L, 0L, false},
                {t.repeat().batch(2).take(3), 6L, 3L, false},
                {t.repeat(2).batch(3).repeat(2), 20L, 8L, false},
                {g.batch(2), -1L, -1L, false},
                {g.batch(2).take(3), -1L, -1L, false},   // tf.data: a generator's cardinality is unknown, and so its take's
                {g.batch(2).repeat(2), -1L, -1L, false},
                {g.batch(2).repeat(), -1L, -1L, true},   // tf.data: repeat() of unknown is infinite
                {g.batch(2).repeat().take(3), -1L, 3L, false},
                {g.batch(2, true).repeat().take(3), 6L, 3L, false},
                {g.repeat().batch(2).take(3), 6L, 3L, false},
        };
        for (Object[] c : cases) {
            Dataset d = (Dataset) c[0];
            assertEquals(c[1], d.size(), "size of " + d);
            assertEquals(c[2], d.batchesPerEpoch(), "batchesPerEpoch of " + d);
            assertEquals(c[3], d.endless(), "endless of " + d);
        }
        // a smaller batch known to come (a stateful model refuses it), unknown for a generator
        for (Dataset d : List.of(t.batch(2), t.batch(2).repeat(), t.batch(2).skip(1), t.batch(2).shuffle(1).take(1), t.batch(2).repeat().skip(9)))
            assertTrue(d.givesSmallerBatches(), d.toString());
        for (Dataset d : List.of(t.batch(2, true).repeat(), t.batch(2).take(2), t.batch(2).repeat().take(2), t.batch(5).shuffle(1).repeat(),
                t.batch(2).skip(3), g.batch(2), t.repeat().batch(2)))
            assertFalse(d.givesSmallerBatches(), d.toString());
        String s = t.batch(2).repeat(2).take(3).toString();
        assertTrue(s.contains("5 samples") && s.contains("batch 2 then repeat(2).take(3)") && s.contains("3 batches per epoch"), s);
        assertTrue(t.batch(2).repeat().toString().contains("endless"), t.batch(2).repeat().toString());
    }

    /**
     * What stays refused after batch: batch again (tf.data nests batches), bucketing, split (*changed, session 21:* map was
     * refused too; it now maps whole batches, as tf.data's: BatchMapTest).
     */
    @Test
    void whatActsOnSamplesStaysRefusedAfterBatch() {
        Dataset ds = Dataset.fromTensors(x(6), y(6)).batch(2).take(2);
        for (Runnable r : List.<Runnable>of(() -> ds.batch(2), () -> ds.bucketByLength(2, false, 3), () -> ds.split(0.5))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, r::run);
            assertTrue(e.getMessage().contains("batch"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalStateException.class, () -> ds.repeat().batch(3)).getMessage().contains("already batched"));
        assertFalse(ds.endless());
    }
}
