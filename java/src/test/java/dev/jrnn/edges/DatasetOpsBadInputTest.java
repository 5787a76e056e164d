package dev.jrnn.edges;

import dev.jrnn.data.BatchStream;
import dev.jrnn.data.DataException;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Sample;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad arguments to the tf.data element operations of Dataset (filter, takeWhile, shard, concatenate, zip, window, cache,
 * unbatch, rebatch, the -1 sentinels; paddedBatch, enumerate, flatMap, interleave, cache(file)): each refused naming the parameter, what was expected and what came.
 */
class DatasetOpsBadInputTest {
    private static Dataset ds() {
        return Dataset.fromTensors(Tensor.zeros(4, 2), Tensor.zeros(4, 1));
    }

    private static Dataset inputsOnly() {
        return Dataset.fromTensors(Tensor.zeros(4, 2), null);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("filter null", (Executable) () -> ds().filter(null), List.of("Dataset.filter: keep is null")),
                Arguments.of("takeWhile null", (Executable) () -> ds().takeWhile(null), List.of("Dataset.takeWhile: keep is null")),
                Arguments.of("shard 0 shards", (Executable) () -> ds().shard(0, 0), List.of("Dataset.shard: numShards must be >= 1, got 0")),
                Arguments.of("shard index past", (Executable) () -> ds().shard(3, 3), List.of("Dataset.shard: index must be in [0, 3), got 3")),
                Arguments.of("shard negative index", (Executable) () -> ds().shard(3, -1), List.of("index must be in [0, 3), got -1")),
                Arguments.of("concatenate null", (Executable) () -> ds().concatenate(null), List.of("Dataset.concatenate: other is null")),
                Arguments.of("concatenate without targets", (Executable) () -> ds().concatenate(inputsOnly()),
                        List.of("Dataset.concatenate: other", "1 targets", "got 0")),
                Arguments.of("concatenate another feature count", (Executable) () -> ds().concatenate(Dataset.fromTensors(Tensor.zeros(4, 3), Tensor.zeros(4, 1))),
                        List.of("Dataset.concatenate: other: inputs 0", "shape (2,)", "got samples of shape (3,)")),
                Arguments.of("zip null inputs", (Executable) () -> Dataset.zip(null, inputsOnly()), List.of("Dataset.zip: inputs is null")),
                Arguments.of("zip null targets", (Executable) () -> Dataset.zip(inputsOnly(), null), List.of("Dataset.zip: targets is null")),
                Arguments.of("window size 0", (Executable) () -> ds().window(0, 1, 1, true),
                        List.of("Dataset.window: size, shift and stride must be >= 1, got 0, 1, 1")),
                Arguments.of("window shift 0", (Executable) () -> ds().window(3, 0, 1, true), List.of("got 3, 0, 1")),
                Arguments.of("window stride 0", (Executable) () -> ds().window(3, 1, 0, false), List.of("got 3, 1, 0")),
                Arguments.of("skip -1 of an endless set", (Executable) () -> ds().repeat().skip(-1),
                        List.of("Dataset.skip: -1 (all) of an endless data set would never end", "got -1")),
                Arguments.of("skip -1 of endless batches", (Executable) () -> ds().batch(2).repeat().skip(-1), List.of("Dataset.skip", "never end")),
                Arguments.of("shuffle buffer 0, reshuffle false", (Executable) () -> ds().shuffle(1, 0, false),
                        List.of("Dataset.shuffle: bufferSize must be >= 1, got 0")),
                Arguments.of("rebatch 0", (Executable) () -> ds().batch(2).rebatch(0, false), List.of("Dataset.rebatch: size must be >= 1, got 0")),
                // session 23: prefetch(-1) is tf.data.AUTOTUNE; other negatives are refused naming it
                Arguments.of("prefetch -2", (Executable) () -> ds().prefetch(-2),
                        List.of("Dataset.prefetch: depth must be >= 0 or Dataset.AUTOTUNE (-1, tf.data.AUTOTUNE), got -2")),
                Arguments.of("prefetch MIN_VALUE after batch", (Executable) () -> ds().batch(2).prefetch(Integer.MIN_VALUE),
                        List.of("Dataset.prefetch", "AUTOTUNE", "got -2147483648")),
                // session 21: paddedBatch, enumerate, flatMap, interleave, cache(file)
                Arguments.of("paddedBatch size 0", (Executable) () -> ds().paddedBatch(0, null, null, false), List.of("Dataset.paddedBatch: size must be >= 1, got 0")),
                Arguments.of("paddedBatch shape -2", (Executable) () -> ds().paddedBatch(2, new int[][] {{-2}, {}}, null, false),
                        List.of("Dataset.paddedBatch: paddedShapes[0][0] must be >= 1, or -1 for the batch's longest, got -2")),
                Arguments.of("paddedBatch shape 0", (Executable) () -> ds().paddedBatch(2, new int[][] {{2}, {0}}, null, false),
                        List.of("paddedShapes[1][0] must be >= 1", "got 0")),
                Arguments.of("paddedBatch values of another count", (Executable) () -> ds().paddedBatch(2, new int[][] {{2}, {}}, new float[] {0}, false),
                        List.of("Dataset.paddedBatch: paddingValues: expected one value per part, as paddedShapes' 2, got 1")),
                Arguments.of("paddedBatch shapes of other parts", (Executable) () -> ds().paddedBatch(2, new int[][] {{2}, {}, {}}, null, false),
                        List.of("Dataset.paddedBatch: paddedShapes: expected 2 parts (1 inputs, 1 targets, 0 sample weights), got 3")),
                Arguments.of("paddedBatch shape too small", (Executable) () -> ds().paddedBatch(2, new int[][] {{1}, {}}, null, false),
                        List.of("Dataset.paddedBatch: paddedShapes[0]: expected a shape that input 0's samples of shape (2,) fit in", "got (1,)")),
                Arguments.of("paddedBatch shape of another rank", (Executable) () -> ds().paddedBatch(2, new int[][] {{2, 1}, {}}, null, false),
                        List.of("paddedShapes[0]: expected a shape that input 0's samples", "got (2, 1)")),
                // TF 2.21: x (n, 1), y (n,): padded_shapes ([], []) and ([1], [1]) raise ValueError at the call
                Arguments.of("paddedBatch rank 0 for a (1,) part", (Executable) () -> Dataset.fromTensors(Tensor.zeros(4, 1), Tensor.zeros(4))
                                .paddedBatch(2, new int[][] {{}, {}}, null, false),
                        List.of("Dataset.paddedBatch: paddedShapes[0]: expected a shape that input 0's samples of shape (1,) fit in", "got ()")),
                Arguments.of("paddedBatch rank 1 for a one-value part", (Executable) () -> Dataset.fromTensors(Tensor.zeros(4, 1), Tensor.zeros(4))
                                .paddedBatch(2, new int[][] {{1}, {1}}, null, false),
                        List.of("Dataset.paddedBatch: paddedShapes[1]: expected a shape that target 0's samples of shape () fit in", "got (1,)")),
                Arguments.of("paddedBatch NaN value", (Executable) () -> ds().paddedBatch(2, null, new float[] {0, Float.NaN}, false),
                        List.of("Dataset.paddedBatch: paddingValues[1] must be finite, got NaN")),
                Arguments.of("enumerate start Long.MIN_VALUE", (Executable) () -> ds().enumerate(Long.MIN_VALUE),
                        List.of("Dataset.enumerate: start must be within +-2^24", "got " + Long.MIN_VALUE)),
                Arguments.of("enumerate start past 2^24", (Executable) () -> ds().enumerate((1L << 24) + 1),
                        List.of("Dataset.enumerate: start must be within +-2^24", "got 16777217")),
                Arguments.of("flatMap null", (Executable) () -> ds().flatMap(null), List.of("Dataset.flatMap: function is null")),
                Arguments.of("interleave null", (Executable) () -> ds().interleave(null, 2, 1), List.of("Dataset.interleave: function is null")),
                Arguments.of("interleave cycleLength 0", (Executable) () -> ds().interleave(s -> ds(), 0, 1),
                        List.of("Dataset.interleave: cycleLength must be >= 1, got 0")),
                Arguments.of("interleave blockLength 0", (Executable) () -> ds().interleave(s -> ds(), 2, 0),
                        List.of("Dataset.interleave: blockLength must be >= 1, got 0")),
                Arguments.of("cache file null", (Executable) () -> ds().cache((java.nio.file.Path) null), List.of("Dataset.cache: filename is null")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refused(String name, Executable call, List<String> words) {
        RefusalCases.assertRefused(name, call, words);
    }

    @Test
    void caseNamesAreDistinct() {
        RefusalCases.assertDistinctArguments(cases());
    }

    /** Out of order: an element operation after batch, unbatch before it, a cache of an endless set. */
    @Test
    void outOfOrderIsAnIllegalState() {
        for (Object[] c : new Object[][] {
                {(Executable) () -> ds().batch(2).filter(s -> true), "Dataset.filter: call it before batch", "filter, then batch"},
                {(Executable) () -> ds().batch(2).takeWhile(s -> true), "Dataset.takeWhile: call it before batch"},
                {(Executable) () -> ds().batch(2).shard(2, 0), "Dataset.shard: call it before batch"},
                {(Executable) () -> ds().batch(2).concatenate(ds()), "Dataset.concatenate: call it before batch"},
                {(Executable) () -> ds().concatenate(ds().batch(2)), "Dataset.concatenate (its other data set): call it before batch"},
                {(Executable) () -> Dataset.zip(inputsOnly().batch(2), inputsOnly()), "Dataset.zip (its inputs): call it before batch"},
                {(Executable) () -> ds().batch(2).window(2, 1, 1, true), "Dataset.window: call it before batch"},
                {(Executable) () -> ds().batch(2).cache(), "Dataset.cache: call it before batch"},
                {(Executable) () -> ds().repeat().cache(), "Dataset.cache: the data set is endless", "cache before repeat()"},
                {(Executable) () -> ds().repeat().cache(java.nio.file.Path.of("never-written")), "Dataset.cache: the data set is endless"},
                {(Executable) () -> ds().batch(2).cache(java.nio.file.Path.of("never-written")), "Dataset.cache: call it before batch"},
                {(Executable) () -> ds().batch(2).enumerate(0), "Dataset.enumerate: call it before batch", "enumerate, then batch"},
                {(Executable) () -> ds().batch(2).flatMap(s -> ds()), "Dataset.flatMap: call it before batch"},
                {(Executable) () -> ds().batch(2).interleave(s -> ds(), 2, 1), "Dataset.interleave: call it before batch"},
                {(Executable) () -> ds().batch(2).paddedBatch(2, null, null, false), "Dataset.paddedBatch: the dataset is already batched (batch(2))"},
                {(Executable) () -> ds().rebatch(2, false), "Dataset.rebatch: the data set is not batched; call batch(2)"}}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, (Executable) c[0]);
            for (int i = 1; i < c.length; i++) assertTrue(e.getMessage().contains((String) c[i]), c[i] + " in: " + e.getMessage());
        }
    }

    /** Bad samples fail the batch naming the sample: a zip side with targets, a window of mixed shapes, rows that differ, a predicate that throws. */
    @Test
    void badSamplesNameTheSample() {
        assertEquals("input 0 sample 0: Dataset.zip: its side inputs gives 1 targets and 0 sample weights; zip data sets of inputs only"
                + " (fromTensors(x, null)): the second one's become the targets", read(Dataset.zip(ds(), inputsOnly())));
        List<Sample> mixed = List.of(Sample.of(Tensor.zeros(2), null), Sample.of(Tensor.zeros(3), null));
        String m = read(Dataset.fromIterator(mixed::iterator).window(2, 1, 1, true));
        assertTrue(m.contains("generator sample 1") && m.contains("Dataset.window: input 0 has shape (3,)") && m.contains("generator sample 0 has (2,)"), m);
        String u = read(Dataset.fromTensors(Tensor.zeros(4, 3, 2), Tensor.zeros(4, 2)).unbatch());
        assertEquals("input 0 sample 0: Dataset.unbatch: target 0 has shape (2,), input 0 has 3 rows; unbatch splits every part of a"
                + " sample along its first axis", u);
        String p = read(ds().filter(s -> {
            throw new IllegalStateException("boom");
        }));
        assertTrue(p.startsWith("input 0 sample 0: the filter predicate failed: java.lang.IllegalStateException: boom"), p);
        // paddedBatch of a generator: what a table's columns show at the call shows at the batch
        List<Sample> three = List.of(Sample.of(Tensor.zeros(3), null), Sample.of(Tensor.zeros(3), null));
        String r = readBatched(Dataset.fromIterator(three::iterator).paddedBatch(2, new int[][] {{3, 1}}, null, false));
        assertEquals("generator sample 0: Dataset.paddedBatch: input 0 has shape (3,), its padded shape (3, 1) has rank 2; give a padded"
                + " shape of the sample's rank", r);
        String k = readBatched(Dataset.fromIterator(three::iterator).paddedBatch(2, new int[][] {{3}, {1}}, null, false));
        assertEquals("generator sample 0: Dataset.paddedBatch: paddedShapes gives 2 parts, the sample has 1 (1 inputs, 0 targets, 0 sample weights)", k);
    }

    private static String readBatched(Dataset d) {
        return assertThrows(DataException.class, () -> {
            try (BatchStream s = d.epoch(0)) {
                while (s.hasNext()) s.next().close();
            }
        }).getMessage();
    }

    /**
     * cache(file) refuses at the call what it would not read as a cache or would overwrite: a directory, a file that is not a
     * jrnn cache, one cut short, one of samples of other parts (TF fails at the read); each file left as it was.
     */
    @Test
    void cacheFilesThatAreNotThisDataSetsCacheAreRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        RefusalCases.assertRefused("cache a directory", () -> ds().cache(dir), List.of("Dataset.cache: filename: expected a file, got the directory " + dir));
        java.nio.file.Path notes = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "my notes, not a cache of samples\n");
        RefusalCases.assertRefused("cache over another file", () -> ds().cache(notes),
                List.of("Dataset.cache: filename: expected a jrnn cache file (or none) at " + notes, "name another file or delete it"));
        assertEquals("my notes, not a cache of samples\n", java.nio.file.Files.readString(notes), "left as it was");
        java.nio.file.Path c = dir.resolve("xy.cache");
        try (BatchStream s = ds().cache(c).batch(4).epoch(0)) {
            while (s.hasNext()) s.next().close();
        }
        RefusalCases.assertRefused("cache of other parts", () -> inputsOnly().cache(c),
                List.of("Dataset.cache: filename: the cache " + c + " holds samples of 1 inputs, 1 targets and 0 sample weights, this data set's have 1, 0 and 0"));
        byte[] whole = java.nio.file.Files.readAllBytes(c);
        java.nio.file.Files.write(c, java.util.Arrays.copyOf(whole, whole.length - 3));
        RefusalCases.assertRefused("cache cut short", () -> ds().cache(c), List.of("Dataset.cache: filename: " + c + " is a jrnn cache cut short (no end record)"));
        assertEquals(whole.length - 3, java.nio.file.Files.size(c), "left as it was");
    }

    private static String read(Dataset d) {
        return assertThrows(DataException.class, () -> {
            try (BatchStream s = d.batch(4).epoch(0)) {
                while (s.hasNext()) s.next().close();
            }
        }).getMessage();
    }
}
