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
 * unbatch, rebatch, the -1 sentinels): each refused naming the parameter, what was expected and what came.
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
                Arguments.of("rebatch 0", (Executable) () -> ds().batch(2).rebatch(0, false), List.of("Dataset.rebatch: size must be >= 1, got 0")));
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
    }

    private static String read(Dataset d) {
        return assertThrows(DataException.class, () -> {
            try (BatchStream s = d.batch(4).epoch(0)) {
                while (s.hasNext()) s.next().close();
            }
        }).getMessage();
    }
}
