package dev.jrnn.data;

import dev.jrnn.io.Json;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jrnn's data API against goldens that TensorFlow 2.21 (tf.data) and Keras 3.15.1 computed
 * (src/test/resources/dev/jrnn/data/tfdata/make_tfdata_goldens.py): the same elements in the same order, shapes, padding
 * and remainders.
 */
class TfDataGoldensTest {

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases(String file) throws IOException {
        return (List<Map<String, Object>>) document(file);
    }

    /** The "cases" of a golden file (a list, or one record of facts). */
    @SuppressWarnings("unchecked")
    static Object document(String file) throws IOException {
        try (InputStream in = TfDataGoldensTest.class.getResourceAsStream("tfdata/" + file)) {
            Map<String, Object> doc = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return doc.get("cases");
        }
    }

    /** A nested JSON list flattened, and its shape. */
    static void flatten(Object v, List<Float> out) {
        if (v instanceof List<?> l) for (Object o : l) flatten(o, out);
        else out.add(((Number) v).floatValue());
    }

    static float[] flat(Object v) {
        List<Float> l = new ArrayList<>();
        flatten(v, l);
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) f[i] = l.get(i);
        return f;
    }

    static int[] shape(Object v) {
        List<Integer> s = new ArrayList<>();
        while (v instanceof List<?> l) {
            s.add(l.size());
            v = l.isEmpty() ? null : l.get(0);
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    static int[] ints(Object v) {
        return ((List<?>) v).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
    }

    static Integer optInt(Object v) { return v == null ? null : ((Number) v).intValue(); }

    static Tensor arange(int n, float scale, int... shape) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = i * scale;
        return Tensor.of(d, shape);
    }

    /** Every batch of epoch {@code e}: {x values, x shape, y values, y shape}. */
    static List<Object[]> batches(Dataset ds, int e) throws IOException {
        List<Object[]> out = new ArrayList<>();
        try (BatchStream s = ds.epoch(e)) {
            while (s.hasNext()) {
                try (Batch b = s.next()) {
                    Tensor x = b.input(0), y = b.targetCount() > 0 ? b.target(0) : null;
                    out.add(new Object[] {x.data().clone(), x.shape(), y == null ? null : y.data().clone(), y == null ? null : y.shape()});
                }
            }
        }
        return out;
    }

    // ---- keras.utils.timeseries_dataset_from_array ----

    @Test
    void timeseriesWindowsAndTargetsAreKeras() throws IOException {
        int checked = 0;
        for (Map<String, Object> c : cases("timeseries.json")) {
            if (c.containsKey("shuffle") || c.containsKey("error")) continue;
            List<?> want = (List<?>) c.get("batches");
            if (want.isEmpty()) continue;   // Keras' empty data set: jrnn refuses it (timeseriesRefusals)
            Timeseries ts = timeseries(c);
            List<Object[]> got = batches(ts.dataset(), 0);
            assertEquals(want.size(), got.size(), c.toString());
            for (int i = 0; i < got.size(); i++) {
                Map<?, ?> w = (Map<?, ?>) want.get(i);
                assertArrayEquals(shape(w.get("x")), (int[]) got.get(i)[1], c + " batch " + i);
                assertArrayEquals(flat(w.get("x")), (float[]) got.get(i)[0], c + " batch " + i);
                if (w.containsKey("y")) {
                    assertArrayEquals(flat(w.get("y")), (float[]) got.get(i)[2], c + " batch " + i);
                    assertArrayEquals(shape(w.get("y")), (int[]) got.get(i)[3], c + " targets' shape, batch " + i);
                }
            }
            checked++;
        }
        assertEquals(10, checked);
    }

    /**
     * Keras' refusals: a start index past the data and an end before the start are refused here too, and a window that does
     * not fit (Keras' empty data set; a jrnn tensor has no empty axis). Where Keras' checks are stricter than its windows
     * need, jrnn gives the windows: end_index = len(data) (Keras' own default end), sequence_stride >= len(data) (one
     * window), targets shorter than the windows from a start index > 0 (Keras fails reading them, InvalidArgumentError).
     */
    @Test
    void timeseriesRefusalsAgainstKeras() throws IOException {
        int refused = 0, given = 0;
        for (Map<String, Object> c : cases("timeseries.json")) {
            boolean kerasRefuses = c.containsKey("error") || c.get("batches") instanceof List<?> l && l.isEmpty();
            if (!kerasRefuses) continue;
            int n = optInt(c.get("n")), L = optInt(c.get("L")), stride = optInt(c.get("stride"));
            Integer t = optInt(c.get("t")), start = optInt(c.get("start")), end = optInt(c.get("end"));
            if (end != null && end == n || stride >= n || t != null && t < n && start != null) {
                List<Object[]> got = batches(timeseries(c).dataset(), 0);
                int first = start == null ? 0 : start, windows = got.stream().mapToInt(b -> ((float[]) b[2]).length).sum();
                int fit = (end == null ? n : end) - first - (L - 1) * optInt(c.get("rate"));
                if (t != null) fit = Math.min(fit, t - first);
                assertEquals((fit + stride - 1) / stride, windows, c.toString());
                assertEquals(first, (int) ((float[]) got.get(0)[0])[0], "the first window starts at start_index: " + c);
                given++;
            } else {
                assertThrows(IllegalArgumentException.class, () -> timeseries(c).dataset(), c.toString());
                refused++;
            }
        }
        assertEquals(4, refused);
        assertEquals(3, given);
    }

    static Timeseries timeseries(Map<String, Object> c) {
        int n = optInt(c.get("n"));
        int[] fs = c.get("f") instanceof List<?> l ? ints(l) : new int[] {optInt(c.get("f"))}, dataShape = new int[fs.length + 1];
        dataShape[0] = n;
        System.arraycopy(fs, 0, dataShape, 1, fs.length);
        Integer t = optInt(c.get("t")), tk = optInt(c.get("tk"));
        Tensor targets = t == null ? null : tk == null ? arange(t, 10, t) : arange(t * tk, 10, t, tk);
        Timeseries ts = Timeseries.of(arange((int) Tensor.size(dataShape), 1, dataShape), targets, optInt(c.get("L")))
                .sequenceStride(optInt(c.get("stride"))).samplingRate(optInt(c.get("rate"))).batchSize(optInt(c.get("batch")));
        if (c.get("start") != null) ts.startIndex(optInt(c.get("start")));
        if (c.get("end") != null) ts.endIndex(optInt(c.get("end")));
        return ts;
    }

    @Test
    void timeseriesShuffleGivesKerasWindowsOncePerEpoch() throws IOException {
        Map<String, Object> c = cases("timeseries.json").stream().filter(m -> m.containsKey("shuffle")).findFirst().orElseThrow();
        Timeseries ts = timeseries(c).shuffle(optInt(c.get("shuffle")));
        List<List<Integer>> epochs = new ArrayList<>();
        for (int e = 0; e < 2; e++) {
            List<Integer> starts = new ArrayList<>();
            for (Object[] b : batches(ts.dataset(), e)) {
                float[] x = (float[]) b[0], y = (float[]) b[2];
                int len = optInt(c.get("L"));
                for (int i = 0; i < y.length; i++) {
                    starts.add((int) x[i * len]);
                    assertEquals(x[i * len] * 10, y[i], "a window's target is its first step's");
                }
            }
            epochs.add(starts);
        }
        assertNotEquals(epochs.get(0), epochs.get(1), "a fresh order each epoch");
        for (List<Integer> s : epochs) {
            List<Integer> sorted = new ArrayList<>(s);
            sorted.sort(null);
            assertEquals(Arrays.stream(ints(c.get("starts"))).boxed().toList(), sorted);
        }
    }

    // ---- tf.data operations ----

    @Test
    @SuppressWarnings("unchecked")
    void datasetOperationsGiveTfDataBatches() throws IOException {
        for (Map<String, Object> c : cases("dataset_ops.json")) {
            if (c.containsKey("coverage")) continue;
            int n = optInt(c.get("n"));
            for (boolean generator : new boolean[] {false, true}) check(c, n, generator);
        }
    }

    /**
     * One chain over range(n), from tensors (indexable) or from a generator (a stream; tf.data's from_generator): the same
     * elements in the same order (an unbatched chain read in batches of 1), and tf.data's cardinality of each.
     */
    @SuppressWarnings("unchecked")
    private static void check(Map<String, Object> c, int n, boolean generator) throws IOException {
        List<List<Object>> ops = (List<List<Object>>) (List<?>) c.get("ops");
        boolean zipped = ops.stream().anyMatch(op -> op.get(0).equals("zip"));   // zip takes data sets of inputs only
        Dataset ds = Dataset.fromTensors(arange(n, 1, n, 1), zipped ? null : arange(n, 1, n, 1));
        if (generator) ds = Dataset.fromIterator(() -> range(0, n, !zipped).iterator());
        for (List<Object> op : ops) ds = apply(ds, op, generator);
        String what = (generator ? "generator " : "tensors ") + c;
        long card = ((Number) c.get(generator ? "generator_cardinality" : "cardinality")).longValue();
        assertEquals(card, ds.cardinality(), "tf.data's cardinality: " + what);
        if (c.get("limit") != null) ds = ds.take(optInt(c.get("limit")));
        boolean batched = false;
        for (List<Object> op : ops) batched = op.get(0).equals("unbatch") ? false : batched || op.get(0).toString().contains("batch");
        if (!batched) ds = ds.batch(1);
        List<List<Integer>> gx = new ArrayList<>(), gy = new ArrayList<>(), wx = new ArrayList<>(), wy = new ArrayList<>();
        for (Object[] b : batches(ds, 0)) {
            gx.add(ints((float[]) b[0]));
            if (zipped) gy.add(ints((float[]) b[2]));
        }
        for (Object w : (List<?>) c.get("batches")) {
            wx.add(ints(flat(w instanceof Map<?, ?> m ? m.get("x") : w)));
            if (w instanceof Map<?, ?> m) wy.add(ints(flat(m.get("y"))));
        }
        assertEquals(wx, gx, what);
        assertEquals(wy, gy, "the zipped targets: " + what);
    }

    private static List<Integer> ints(float[] v) {
        List<Integer> l = new ArrayList<>();
        for (float f : v) l.add((int) f);
        return l;
    }

    /** Samples {@code from..to-1} as (1,) inputs, and as targets when {@code targets}. */
    static List<Sample> range(int from, int to, boolean targets) {
        List<Sample> samples = new ArrayList<>();
        for (int i = from; i < to; i++) samples.add(Sample.of(Tensor.of(new float[] {i}, 1), targets ? Tensor.of(new float[] {i}, 1) : null));
        return samples;
    }

    /** range(from, to) from tensors or a generator, as inputs (and targets when {@code targets}). */
    static Dataset source(int from, int to, boolean targets, boolean generator) {
        if (generator) return Dataset.fromIterator(() -> range(from, to, targets).iterator());
        Tensor t = arange(to - from, 1, to - from, 1);
        for (int i = 0; i < t.size(); i++) t.data()[i] += from;
        return Dataset.fromTensors(t, targets ? t : null);
    }

    /** One op of a golden chain, as the generator spells it. */
    static Dataset apply(Dataset ds, List<Object> op, boolean generator) {
        return switch ((String) op.get(0)) {
            case "batch", "padded_batch" -> ds.batch(optInt(op.get(1)), op.size() > 2 && (Boolean) op.get(2));
            case "rebatch" -> ds.rebatch(optInt(op.get(1)), op.size() > 2 && (Boolean) op.get(2));
            case "unbatch" -> ds.unbatch();
            case "repeat" -> op.size() > 1 ? ds.repeat(optInt(op.get(1))) : ds.repeat();
            case "take" -> ds.take(optInt(op.get(1)));
            case "skip" -> ds.skip(optInt(op.get(1)));
            case "shuffle" -> op.size() > 3 ? ds.shuffle(optInt(op.get(2)), optInt(op.get(1)), (Boolean) op.get(3))
                    : ds.shuffle(optInt(op.get(2)), optInt(op.get(1)));
            case "filter" -> ds.filter(s -> (int) s.inputs().get(0).data()[0] % optInt(op.get(1)) == optInt(op.get(2)));
            case "take_while" -> ds.takeWhile(s -> s.inputs().get(0).data()[0] < optInt(op.get(1)));
            case "shard" -> ds.shard(optInt(op.get(1)), optInt(op.get(2)));
            case "concatenate" -> ds.concatenate(source(optInt(op.get(1)), optInt(op.get(2)), true, false));   // tf.data.Dataset.range, as the golden
            case "zip" -> Dataset.zip(ds, source(optInt(op.get(1)), optInt(op.get(2)), false, false));
            case "window" -> ds.window(optInt(op.get(1)), optInt(op.get(2)), optInt(op.get(3)), (Boolean) op.get(4));
            case "cache" -> ds.cache();
            default -> throw new AssertionError(op);
        };
    }

    /**
     * tf.data's shuffle(buffer) on an indexable set: every sample once per epoch, none earlier than buffer - 1 places before
     * its own (buffer 1 keeps the order), a fresh order per epoch that the seed repeats; the golden's coverage facts hold.
     */
    @Test
    void shuffleBufferBoundsHowFarASampleMoves() throws IOException {   // tensors, across a repeat, a generator, after batch
        Map<String, Object> c = cases("dataset_ops.json").stream().filter(m -> m.containsKey("coverage")).findFirst().orElseThrow();
        assertEquals(List.of(true, true, true), c.get("coverage"));
        int n = optInt(c.get("n"));
        for (int buffer : new int[] {1, 3, 5}) {
            List<Sample> samples = new ArrayList<>();
            for (int i = 0; i < n; i++) samples.add(Sample.of(Tensor.of(new float[] {i}, 1), Tensor.of(new float[] {i}, 1)));
            Dataset tensors = Dataset.fromTensors(arange(n, 1, n, 1), arange(n, 1, n, 1));
            for (Dataset ds : List.of(tensors.shuffle(3, buffer).batch(7), tensors.repeat(2).shuffle(3, buffer).batch(7),
                    Dataset.fromIterator(samples::iterator).shuffle(3, buffer).batch(7), tensors.batch(1).shuffle(3, buffer))) {
                List<Integer> e0 = order(ds, 0), e1 = order(ds, 1);
                assertEquals(e0, order(ds, 0), "the seed repeats an epoch's order");
                for (List<Integer> e : List.of(e0, e1)) {
                    List<Integer> in = new ArrayList<>();   // the samples as they enter: 0..n-1, once per pass
                    for (int k = 0; k < e.size(); k++) in.add(k % n);
                    List<Integer> window = new ArrayList<>();   // what tf.data's buffer may hold when output k leaves
                    for (int k = 0; k < e.size(); k++) {
                        while (window.size() < buffer && !in.isEmpty()) window.add(in.remove(0));
                        assertTrue(window.remove(e.get(k)), "buffer " + buffer + ": output " + k + " is " + e.get(k)
                                + ", not among the next " + buffer + " samples: " + e);
                    }
                    assertTrue(window.isEmpty() && in.isEmpty(), "each sample once per pass: " + e);
                }
                if (buffer == 1) assertEquals(e0, e1, "buffer 1 keeps the order");
                else assertNotEquals(e0, e1, "a fresh order per epoch");
            }
        }
    }

    private static List<Integer> order(Dataset ds, int epoch) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (Object[] b : batches(ds, epoch)) for (float v : (float[]) b[0]) out.add((int) v);
        return out;
    }

    /** unbatch before batch: each sample's rows as samples (x (4, 3, 2), y (4, 3)), tf.data's cardinality and batches. */
    @Test
    void unbatchOfSamplesGivesTheirRows() throws IOException {
        for (Map<String, Object> c : cases("dataset_unbatch_rows.json")) {
            int[] s = ints(c.get("x_shape"));
            Tensor x = arange(s[0] * s[1] * s[2], 1, s), y = arange(s[0] * s[1], 10, s[0], s[1]);
            List<Sample> gen = new ArrayList<>();
            for (int i = 0; i < s[0]; i++) gen.add(Sample.of(x.slice(i, i + 1).reshape(s[1], s[2]), y.slice(i, i + 1).reshape(s[1])));
            for (boolean generator : new boolean[] {false, true}) {
                Dataset ds = (generator ? Dataset.fromIterator(gen::iterator) : Dataset.fromTensors(x, y)).unbatch();
                assertEquals(generator ? Dataset.UNKNOWN : ((Number) c.get("cardinality")).longValue(), ds.cardinality(), c.toString());
                ds = ds.batch(optInt(c.get("batch")));
                List<?> want = (List<?>) c.get("batches");
                List<Object[]> got = batches(ds, 0);
                assertEquals(want.size(), got.size());
                for (int i = 0; i < got.size(); i++) {
                    Map<?, ?> w = (Map<?, ?>) want.get(i);
                    assertArrayEquals(shape(w.get("x")), (int[]) got.get(i)[1], "batch " + i);
                    assertArrayEquals(flat(w.get("x")), (float[]) got.get(i)[0], "batch " + i);
                    assertArrayEquals(flat(w.get("y")), (float[]) got.get(i)[2], "batch " + i);
                    if (!generator) assertArrayEquals(shape(w.get("y")), (int[]) got.get(i)[3], "a row of one value batches to (B,)");
                }
            }
        }
    }

    /**
     * Orders across epochs against tf.data's facts (its RNG is its own): shuffle's reshuffleEachIteration false repeats the
     * first epoch's order (also inside a repeat and after batch), true draws a fresh one; a cache keeps the order of the
     * pass it kept and runs the map before it once (TensorFlow's count of py_function calls over two iterations).
     */
    @Test
    @SuppressWarnings("unchecked")
    void iterationsAreTfData() throws IOException {
        for (Map<String, Object> c : cases("dataset_iterations.json")) {
            int n = optInt(c.get("n"));
            for (boolean generator : new boolean[] {false, true}) {
                java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
                Dataset ds = source(0, n, true, generator).map(s -> {
                    calls.incrementAndGet();
                    return s;
                });
                boolean batched = false;
                for (Object o : (List<Object>) c.get("ops")) {
                    List<Object> op = (List<Object>) o;
                    ds = apply(ds, op, generator);
                    batched |= op.get(0).equals("batch");
                }
                if (!batched) ds = ds.batch(1);
                List<Integer> e0 = order(ds, 0), e1 = order(ds, 1);
                String what = (generator ? "generator " : "tensors ") + c;
                assertEquals(c.get("same"), e0.equals(e1), what + ": " + e0 + " then " + e1);
                int passes = e0.size() / n;
                List<Integer> sorted = new ArrayList<>(e0), want = new ArrayList<>();
                sorted.sort(null);
                for (int i = 0; i < n; i++) for (int p = 0; p < passes; p++) want.add(i);
                assertEquals(c.get("every_once"), sorted.equals(want), what);
                assertEquals(c.get("repeats_within"), passes == 2 && e0.subList(0, n).equals(e0.subList(n, 2 * n)), what + ": " + e0);
                assertEquals(optInt(c.get("calls")), calls.get(), "calls of the map before: " + what);
            }
        }
    }

    /**
     * Keras 3 fit on the new operations' pipelines (Dense(1) from fixed weights, SGD 0.1, mse, 3 epochs): the epoch losses
     * (Keras' running mean at an epoch's last batch), History's params (steps None where tf.data's cardinality is unknown) and the weights after, as TensorFlow 2.21's.
     */
    @Test
    void fitOnTheNewOperationsIsKeras() throws IOException {
        float[] xs = new float[12], ys = new float[12];
        for (int i = 0; i < 12; i++) {
            xs[i] = i / 10f;
            ys[i] = 2 * xs[i] + 1;
        }
        Dataset src = Dataset.fromTensors(Tensor.of(xs, 12, 1), Tensor.of(ys, 12, 1));
        Map<String, Dataset> pipes = Map.of(
                "filter", src.filter(s -> s.inputs().get(0).data()[0] < 0.75f).batch(4),
                "concatenate", src.take(5).concatenate(src.skip(8)).batch(3),
                "shard", src.shard(2, 1).batch(4),
                "cache_rebatch", src.cache().batch(4).rebatch(3, false),
                "unbatch", src.batch(5).unbatch().batch(2, true),
                "take_while", src.takeWhile(s -> s.inputs().get(0).data()[0] < 0.55f).batch(4));
        for (Map<String, Object> c : cases("dataset_fits.json")) {
            Dataset ds = pipes.get((String) c.get("pipe"));
            assertEquals(((Number) c.get("cardinality")).longValue(), ds.cardinality(), c.toString());
            dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(1).inputShape(1));
            m.setWeights(List.of(Tensor.of(new float[] {0.5f}, 1, 1), Tensor.of(new float[] {0f}, 1)));
            m.compile(new dev.jrnn.optim.SGD(0.1), "mse");
            dev.jrnn.model.History h = m.fit(ds, new dev.jrnn.model.FitOptions().epochs(3).verbose(0));
            assertEquals(optInt(c.get("steps")), h.params().steps(), c.toString());
            float[] want = flat(c.get("last_batch_loss")), epochLog = flat(c.get("loss"));
            for (int e = 0; e < want.length; e++) {
                assertEquals(want[e], h.get("loss").get(e), 2e-6 * Math.abs(want[e]), c + " epoch " + e);
                // Keras' own epoch log is the same but where its unknown-count iterator adds an empty step after a static-size
                // batch (drop_remainder): 6 batches of 2 then, logged as 6/7 of their mean; jrnn logs the mean of the batches
                float k = c.get("pipe").equals("unbatch") ? 6f / 7 : 1;
                assertEquals(epochLog[e], want[e] * k, 2e-6 * Math.abs(want[e]), c + " epoch " + e);
            }
            assertArrayEquals(flat(c.get("kernel")), m.getWeights().get(0).data(), 2e-6f, c.toString());
            assertArrayEquals(flat(c.get("bias")), m.getWeights().get(1).data(), 2e-6f, c.toString());
        }
    }

    // ---- bucket_by_sequence_length ----

    @Test
    void bucketByLengthGivesTfDataBatches() throws IOException {
        for (Map<String, Object> c : cases("buckets.json")) {
            int[] lengths = ints(c.get("lengths"));
            long[] off = new long[lengths.length + 1];
            for (int i = 0; i < lengths.length; i++) off[i + 1] = off[i] + lengths[i];
            float[] v = new float[(int) off[lengths.length]];
            for (int i = 0; i < lengths.length; i++) for (int k = 0; k < lengths[i]; k++) v[(int) off[i] + k] = 10 * i + k + 1;
            Dataset table = Dataset.fromRagged(Tensor.of(v, v.length, 1), off, arange(lengths.length, 1, lengths.length, 1));
            List<Sample> samples = new ArrayList<>();
            for (int i = 0; i < lengths.length; i++) {
                samples.add(Sample.sequence(Tensor.of(Arrays.copyOfRange(v, (int) off[i], (int) off[i + 1]), lengths[i], 1),
                        Tensor.of(new float[] {i}, 1)));
            }
            for (Dataset src : List.of(table, Dataset.fromIterator(samples::iterator))) {
                Dataset ds = c.get("boundaries") == null ? src.batch(optInt(c.get("size")), (Boolean) c.get("drop"))   // padded_batch
                        : src.bucketByLength(optInt(c.get("size")), (Boolean) c.get("drop"), ints(c.get("boundaries")));
                List<?> want = (List<?>) c.get("batches");
                List<Object[]> got = batches(ds, 0);
                assertEquals(want.size(), got.size(), c.toString());
                for (int i = 0; i < got.size(); i++) {
                    Map<?, ?> w = (Map<?, ?>) want.get(i);
                    assertArrayEquals(flat(w.get("y")), (float[]) got.get(i)[2], c + " batch " + i);
                    int[] ws = shape(w.get("x"));
                    assertArrayEquals(new int[] {ws[0], ws[1], 1}, (int[]) got.get(i)[1], c + " batch " + i);
                    assertArrayEquals(flat(w.get("x")), (float[]) got.get(i)[0], c + " batch " + i);
                }
            }
        }
    }

    /** Keras' validation_split: the training part ends at floor(n * (1 - fraction)). */
    @Test
    void splitIsKerasValidationSplit() throws IOException {
        for (Map<String, Object> c : cases("splits.json")) {
            int n = optInt(c.get("n"));
            double f = ((Number) c.get("fraction")).doubleValue();
            Dataset.Split s = Dataset.fromTensors(arange(n, 1, n, 1), arange(n, 1, n, 1)).split(f);
            assertEquals((long) optInt(c.get("training")), s.training().size(), c.toString());
            assertEquals((long) (n - optInt(c.get("training"))), s.validation().size(), c.toString());
        }
    }

    // ---- pad_sequences, to_categorical ----

    @Test
    @SuppressWarnings("unchecked")
    void padSequencesIsKeras() {
        int checked = 0;
        for (Map<String, Object> c : sequences("pad")) {
            Integer maxlen = optInt(c.get("maxlen"));
            String padding = (String) c.get("padding"), truncating = (String) c.get("truncating");
            float value = ((Number) c.get("value")).floatValue();
            if (c.containsKey("error")) {
                int m = maxlen == null ? -1 : maxlen;
                assertThrows(IllegalArgumentException.class, () -> Sequences.pad(List.of(new int[] {1, 2}), m, padding, truncating, 0f), c.toString());
                continue;
            }
            Tensor got;
            if (c.containsKey("vectors")) {
                List<Tensor> seqs = new ArrayList<>();
                for (Object s : (List<Object>) c.get("vectors")) seqs.add(Tensor.of(flat(s), shape(s)));
                got = Sequences.padTensors(seqs, maxlen == null ? -1 : maxlen, padding, truncating, value);
            } else {
                List<int[]> seqs = new ArrayList<>();
                for (Object s : (List<Object>) c.get("seqs")) seqs.add(ints(s));
                got = Sequences.pad(seqs, maxlen == null ? -1 : maxlen, padding, truncating, value);
            }
            assertArrayEquals(shape(c.get("out")), got.shape(), c.toString());
            assertArrayEquals(flat(c.get("out")), got.data(), c.toString());
            checked++;
        }
        assertEquals(28, checked);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> sequences(String key) {
        try (InputStream in = TfDataGoldensTest.class.getResourceAsStream("tfdata/sequences.json")) {
            Map<String, Object> doc = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return (List<Map<String, Object>>) ((Map<String, Object>) doc.get("cases")).get(key);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void toCategoricalIsKeras() {
        for (Map<String, Object> c : sequences("categorical")) {
            int[] labels = ints(c.get("labels"));
            float[] f = new float[labels.length];
            for (int i = 0; i < f.length; i++) f[i] = labels[i];
            Integer k = optInt(c.get("num_classes"));
            Tensor got = Sequences.toCategorical(Tensor.of(f, ints(c.get("shape"))), k == null ? 0 : k);
            assertArrayEquals(ints(c.get("out_shape")), got.shape(), c.toString());
            assertArrayEquals(flat(c.get("out")), got.data(), c.toString());
        }
    }

    // ---- TextVectorization ----

    @Test
    @SuppressWarnings("unchecked")
    void textVectorizationIsKeras() throws IOException {
        for (Map<String, Object> c : cases("text_vectorization.json")) {
            Map<String, Object> cfg = (Map<String, Object>) c.get("config");
            TextVectorization tv = textVectorization(cfg);
            tv.adapt((List<String>) c.get("adapt"));
            assertEquals(c.get("vocabulary"), tv.vocabulary(), cfg.toString());
            Tensor got = tv.call((List<String>) c.get("call"));
            assertArrayEquals(ints(c.get("out_shape")), got.shape(), cfg.toString());
            float[] want = flat(c.get("out"));
            if ("tf_idf".equals(cfg.get("output_mode"))) assertArrayEquals(want, got.data(), 1e-6f, cfg.toString());
            else assertArrayEquals(want, got.data(), cfg.toString());
        }
    }

    static TextVectorization textVectorization(Map<String, Object> cfg) {
        TextVectorization tv = new TextVectorization();
        for (Map.Entry<String, Object> e : cfg.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "max_tokens" -> tv.maxTokens(optInt(v));
                case "standardize" -> tv.standardize((String) v);
                case "split" -> tv.split((String) v);
                case "ngrams" -> {
                    if (v instanceof List<?> l) tv.ngrams(Arrays.stream(ints(l)).boxed().toList());
                    else tv.ngrams(optInt(v));
                }
                case "output_mode" -> tv.outputMode((String) v);
                case "output_sequence_length" -> tv.outputSequenceLength(optInt(v));
                case "pad_to_max_tokens" -> tv.padToMaxTokens((Boolean) v);
                default -> throw new AssertionError(e);
            }
        }
        return tv;
    }

    /** get_config after adapt: Keras' keys and values (its name, dtype and trainable left out). */
    @Test
    @SuppressWarnings("unchecked")
    void textVectorizationConfigIsKeras() throws IOException {
        List<Map<String, Object>> texts = cases("text_vectorization.json");
        for (Map<String, Object> g : cases("text_config.json")) {
            Map<String, Object> c = texts.get(optInt(g.get("case")));
            TextVectorization tv = textVectorization((Map<String, Object>) c.get("config"));
            tv.adapt((List<String>) c.get("adapt"));
            Map<String, Object> want = (Map<String, Object>) g.get("keras_config"), got = new java.util.TreeMap<>(tv.config());
            got.keySet().removeAll(List.of("name", "dtype", "trainable"));
            assertEquals(new java.util.TreeSet<>(want.keySet()), got.keySet(), c.get("config").toString());
            for (String k : want.keySet()) assertEquals(normal(want.get(k)), normal(got.get(k)), k + " of " + c.get("config"));
        }
    }

    /** A call before any vocabulary: Keras refuses it (an uninitialized lookup table), so does jrnn, rather than give [UNK]s. */
    @Test
    @SuppressWarnings("unchecked")
    void textVectorizationRefusesACallBeforeAVocabularyAsKeras() throws IOException {
        for (Map<String, Object> c : cases("text_unadapted.json")) {
            assertEquals("FailedPreconditionError", c.get("error"), c.toString());
            TextVectorization tv = textVectorization((Map<String, Object>) c.get("config"));
            if (c.get("adapt") != null) tv.adapt((List<String>) c.get("adapt"));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> tv.call(List.of("a b")), c.toString());
            assertTrue(e.getMessage().contains("no vocabulary"), e.getMessage());
        }
    }

    /** set_vocabulary: what Keras refuses (ValueError) jrnn refuses (IllegalArgumentException); the rest give Keras' tokens and indices. */
    @Test
    @SuppressWarnings("unchecked")
    void textVectorizationSetVocabularyIsKeras() throws IOException {
        for (Map<String, Object> c : cases("text_set_vocabulary.json")) {
            TextVectorization tv = textVectorization((Map<String, Object>) c.get("config"));
            List<String> voc = (List<String>) c.get("vocabulary");
            if (c.containsKey("error")) {
                assertThrows(IllegalArgumentException.class, () -> tv.vocabulary(voc), c.toString());
                continue;
            }
            tv.vocabulary(voc);
            assertEquals(c.get("got_vocabulary"), tv.vocabulary(), c.toString());
            assertArrayEquals(flat(c.get("out")), tv.call(List.of("a b z")).data(), c.toString());
        }
    }

    /** Numbers as longs, lists element by element, so JSON's and Java's compare. */
    static Object normal(Object o) {
        if (o instanceof Number n) return n.longValue();
        if (o instanceof List<?> l) return l.stream().map(TfDataGoldensTest::normal).toList();
        return o;
    }
}
