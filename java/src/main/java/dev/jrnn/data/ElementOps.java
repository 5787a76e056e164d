package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * tf.data's element operations that only a stream of samples can do, each lazy on the prefetch thread as tf.data's: filter,
 * take_while, shard of a stream, concatenate, zip, window and cache. A table's samples reach them through
 * {@link EpochPlan#samples}.
 */
final class ElementOps {
    private ElementOps() {}

    /** A stream of {@code d}'s samples through {@code f} (epoch -> samples), {@code size} per epoch (-1 unknown, ENDLESS); {@code other}: a second source it reads. */
    static Dataset streamed(Dataset d, UnaryOperator<LongFunction<StreamOps.Stream>> f, long size, Dataset other) {
        Dataset s = d.copy();
        s.stream = f.apply(EpochPlan.samples(d));
        s.streamSize = size;
        List<Table> reads = new ArrayList<>(d.table != null ? List.of(d.table) : d.reads);
        if (other != null) reads.addAll(other.table != null ? List.of(other.table) : other.reads);
        s.reads = List.copyOf(reads);
        s.scalar = scalars(d);
        s.scalarInputs = d.table != null ? d.table.inputs().size() : d.scalarInputs;
        if (other != null && !Arrays.equals(s.scalar, scalars(other))) s.scalar = null;   // batched as the samples come
        if (other != null) s.innerScalars = null;   // another source's parts: unknown (no rank check)
        s.table = null;
        s.order = null;
        s.mapper = null;
        s.batched = s.dropRemainder = false;
        s.batchSize = 32;
        s.boundaries = null;
        s.padding = null;
        s.batchMapper = null;
        s.after = List.of();
        return s;
    }

    private static boolean[] scalars(Dataset d) {
        return d.table != null ? EpochPlan.scalars(d.table) : d.scalar;
    }

    /** {@link Dataset#cache()}: of samples, kept in memory, so refused for an endless set. */
    static Dataset cache(Dataset d) {
        d.beforeBatch("cache", "it keeps samples; cache, then batch");
        if (d.sampleCount() == BatchOps.ENDLESS) throw new IllegalStateException("Dataset.cache: the data set is endless (" + d + "); cache before repeat()");
        return streamed(d, ElementOps::cache, d.sampleCount(), null);
    }

    /** {@link Dataset#window}: a stream of windows, their count unknown (tf.data's flat_map's). */
    static Dataset window(Dataset d, int size, int shift, int stride, boolean dropRemainder) {
        d.beforeBatch("window", "it stacks samples; window, then batch");
        if (Math.min(size, Math.min(shift, stride)) < 1) throw new IllegalArgumentException("Dataset.window: size, shift and stride must be >= 1, got " + size + ", " + shift + ", " + stride);
        Dataset w = streamed(d, s -> e -> window(s.apply(e), size, shift, stride, dropRemainder), -1, null);
        w.innerScalars = null;   // stacked samples: parts of other ranks
        return w;
    }

    /** {@link Dataset#unbatch}: after batch the batches' samples as {@link EpochPlan#samples} gives them (padded), else each sample's rows. */
    static Dataset unbatch(Dataset d) {
        if (!d.batched) return unbatchRows(d);
        BatchOps.Counts c = d.counts();   // tf.data knows the count only where the batch axis is static: dropRemainder
        return streamed(d, s -> s, c.total() == BatchOps.ENDLESS || d.dropRemainder ? c.total() : -1, null);
    }

    /** {@link Dataset#concatenate}: both unbatched; the count is the sum, endless if either is, else unknown if either is. */
    static Dataset concatenate(Dataset a, Dataset b) {
        a.beforeBatch("concatenate", "concatenate the samples, then batch");
        DatasetSources.notNull("concatenate", "other", b);
        b.beforeBatch("concatenate (its other data set)", "concatenate the samples, then batch");
        if (a.table != null && b.table != null && a.mapper == null && b.mapper == null) sameStructure(a.table, b.table, !(a.float32 && b.float32));
        sameNames("input", a.inputNames, b.inputNames);   // tf.data's concatenate needs the same dict keys
        sameNames("target", a.targetNames, b.targetNames);
        sameNames("sample weight", a.weightNames, b.weightNames);
        sameNames("null target", a.nullTargets, b.nullTargets);
        LongFunction<StreamOps.Stream> theirs = EpochPlan.samples(b);
        long m = a.sampleCount(), n = b.sampleCount();
        long size = m == BatchOps.ENDLESS || n == BatchOps.ENDLESS ? BatchOps.ENDLESS : m < 0 || n < 0 ? -1 : m + n;
        Dataset r = streamed(a, s -> e -> concatenate(s.apply(e), theirs, e), size, b);
        if (r.namesDroppedBy == null) r.namesDroppedBy = b.namesDroppedBy;   // b's parts, in sorted-key order, are no more a's order
        return r;
    }

    /**
     * Two tables' samples of the same parts, shapes and dtypes, as tf.data's concatenate requires at the call ("Incompatible
     * dataset elements"); a sequence's length may differ (a padded batch pads them), and with {@code dtypes} false (both
     * read as float32) the stored dtypes.
     */
    private static void sameStructure(Table a, Table b, boolean dtypes) {
        String[] kinds = {"inputs", "targets", "sample weights"};
        List<List<Column>> as = List.of(a.inputs(), a.targets(), a.weights()), bs = List.of(b.inputs(), b.targets(), b.weights());
        for (int k = 0; k < 3; k++) {
            if (as.get(k).size() != bs.get(k).size()) {
                throw new IllegalArgumentException("Dataset.concatenate: other: expected samples of " + as.get(k).size() + " " + kinds[k]
                        + " as this data set's, got " + bs.get(k).size());
            }
            for (int i = 0; i < as.get(k).size(); i++) {
                Column x = as.get(k).get(i), y = bs.get(k).get(i);
                String what = "Dataset.concatenate: other: " + kinds[k] + " " + i;
                if (x.ragged() != y.ragged() || !java.util.Arrays.equals(x.unitShape(), y.unitShape())) {
                    throw new IllegalArgumentException(what + ": expected " + (x.ragged() ? "sequences of steps " : "samples of shape ")
                            + Tensor.shapeString(x.unitShape()) + " as this data set's, got " + (y.ragged() ? "sequences of steps " : "samples of shape ")
                            + Tensor.shapeString(y.unitShape()));
                }
                if (dtypes && !x.dtypes().equals(y.dtypes())) {
                    throw new IllegalArgumentException(what + ": expected dtype " + x.dtypes() + " as this data set's, got " + y.dtypes()
                            + " (asFloat32() on both reads either as float32)");
                }
            }
        }
    }

    private static void sameNames(String kind, List<String> a, List<String> b) {
        if (!java.util.Objects.equals(a, b)) {
            throw new IllegalArgumentException("Dataset.concatenate: other: expected the " + kind + " names " + (a == null ? "none (positional)" : a)
                    + " as this data set's, got " + (b == null ? "none (positional)" : b) + " (tf.data concatenates elements of one structure)");
        }
    }

    /** {@link Dataset#zip}: both unbatched; the count is the smaller, unknown if either is (tf.data's, even beside an endless one). */
    static Dataset zip(Dataset x, Dataset y) {
        DatasetSources.notNull("zip", "inputs", x);
        DatasetSources.notNull("zip", "targets", y);
        x.beforeBatch("zip (its inputs)", "zip the samples, then batch");
        y.beforeBatch("zip (its targets)", "zip the samples, then batch");
        LongFunction<StreamOps.Stream> ys = EpochPlan.samples(y);
        long m = x.sampleCount(), n = y.sampleCount();
        Dataset z = streamed(x, s -> e -> zip(s.apply(e), ys.apply(e)), m < 0 || n < 0 ? -1 : Math.min(m, n), y);
        z.targetNames = y.inputNames;   // the second set's inputs are the targets: their names, tf.data's zip((x, y)) of dicts
        z.weightNames = null;
        z.nullTargets = List.of();
        if (z.namesDroppedBy == null) z.namesDroppedBy = y.namesDroppedBy;   // its targets are y's inputs
        return z;
    }

    /** {@link Dataset#filter} ({@code op} "filter") or {@link Dataset#takeWhile}: of samples, so before batch; a count unknown, as tf.data's. */
    static Dataset filter(Dataset d, Predicate<Sample> keep, String op) {
        d.beforeBatch(op, "it tests samples; " + (op.equals("filter") ? "filter" : "take") + ", then batch");
        DatasetSources.notNull(op, "keep", keep);
        return streamed(d, s -> e -> filter(s.apply(e), keep, op), -1, null);
    }

    /**
     * {@link Dataset#unbatch} of an unbatched set: row r of every part of a sample (its first axis; a sequence's first
     * {@code length} steps) as a sample, as tf.data's unbatch of elements. Counted where a table's parts all have
     * {@code T} fixed rows (n * T, tf.data's static first axis), else unknown.
     */
    static Dataset unbatchRows(Dataset d) {
        long n = d.sampleCount(), size = -1;
        if (d.table != null && d.mapper == null && d.table.lengthColumn() == null && n != BatchOps.ENDLESS) {
            java.util.Set<Integer> rows = new java.util.HashSet<>();
            for (Column c : d.table.columns()) rows.add(c.unitShape().length == 0 ? -1 : c.unitShape()[0]);
            if (rows.size() == 1 && !rows.contains(-1)) size = BatchOps.times(n, rows.iterator().next());
        }
        Dataset u = streamed(d, s -> e -> rows(s.apply(e)), n == BatchOps.ENDLESS ? n : size, null);
        u.innerScalars = null;   // rows of the samples: parts of another rank
        if (d.table != null) {   // a part of one value per row batches to (B,), as tf.data's scalar elements
            u.scalarInputs = d.table.inputs().size();
            List<Column> cols = d.table.columns();
            u.scalar = new boolean[cols.size()];
            for (int c = 0; c < cols.size(); c++) u.scalar[c] = !cols.get(c).ragged() && cols.get(c).unitShape().length == 1;
        }
        return u;
    }

    /**
     * {@link Dataset#enumerate}: a stream whose samples get the counter {@code start, start + 1, ...} of each pass as a last
     * input of one value (a part of one value per sample of a table's stream: batched as (B,)).
     */
    static Dataset enumerate(Dataset d, long start) {
        d.beforeBatch("enumerate", "it numbers samples; enumerate, then batch");
        if (start < -EXACT || start > EXACT) {   // not Math.abs: Math.abs(Long.MIN_VALUE) is negative
            throw new IllegalArgumentException("Dataset.enumerate: start must be within +-2^24 (" + EXACT + "), where the float32 counter is exact, got " + start);
        }
        Dataset u = streamed(d, s -> e -> enumerate(s.apply(e), start), d.sampleCount(), null);
        u.innerScalars = null;   // one more part: the learned flags would not line up
        if (d.inputNames != null || d.targetNames != null || d.weightNames != null || !d.nullTargets.isEmpty()) {
            // tf.data's enumerate gives (i, element), no dict: the parts' order is no longer the names'; refused by name until named
            // again. The null targets are no part: kept, so naming the targets again leaves those outputs without one
            u.inputNames = u.targetNames = u.weightNames = null;
            u.namesDroppedBy = "enumerate";
        }
        if (u.scalar != null) {
            boolean[] f = new boolean[u.scalar.length + 1];
            System.arraycopy(u.scalar, 0, f, 0, u.scalarInputs);
            f[u.scalarInputs] = true;
            System.arraycopy(u.scalar, u.scalarInputs, f, u.scalarInputs + 1, u.scalar.length - u.scalarInputs);
            u.scalar = f;
            u.scalarInputs++;
        }
        return u;
    }

    /** float32 holds every whole number up to 2^24 exactly. */
    private static final long EXACT = 1L << 24;

    private static StreamOps.Stream enumerate(StreamOps.Stream src, long start) {
        long[] k = {start};
        return StreamOps.over(new Iterator<>() {
            public boolean hasNext() { return src.hasNext(); }
            public Sample next() {
                Sample s = src.next();
                long i = k[0]++;
                if (Math.abs(i) > EXACT) {
                    throw new DataException(s.where(), "Dataset.enumerate: the counter reached " + i + ", past 2^24, which float32 does not hold exactly", null);
                }
                List<Tensor> in = new ArrayList<>(s.inputs());
                in.add(Tensor.wrap(new float[] {i}, 1));
                return new Sample(in, s.targets(), s.weights(), s.length(), s.index(), s.source());
            }
        }, src::close);
    }

    private static StreamOps.Stream rows(StreamOps.Stream src) {
        return StreamOps.over(new Iterator<>() {
            Sample cur;
            int r, rows;
            public boolean hasNext() {
                while ((cur == null || r == rows) && src.hasNext()) {
                    cur = src.next();
                    r = 0;
                    rows = rowsOf(cur);
                }
                return cur != null && r < rows;
            }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                int k = r++;
                java.util.function.Function<List<Tensor>, List<Tensor>> row = l -> l.stream().map(t -> row(t, k)).toList();
                return new Sample(row.apply(cur.inputs()), row.apply(cur.targets()), row.apply(cur.weights()), -1, cur.index(), cur.source());
            }
        }, src::close);
    }

    /** The rows every part of {@code s} has (a (1,) part: one), refused where they differ, as tf.data's. */
    private static int rowsOf(Sample s) {
        int rows = s.length() >= 0 ? s.length() : s.inputs().get(0).dim(0);
        List<Tensor> all = new ArrayList<>(s.inputs());
        all.addAll(s.targets());
        all.addAll(s.weights());
        for (int i = 0; i < all.size(); i++) {
            int[] shape = all.get(i).shape();
            if (shape[0] < rows || s.length() < 0 && shape[0] != rows) {
                throw new DataException(s.where(), "Dataset.unbatch: " + Assembler.name(i, s.inputs().size(), s.targets().size()) + " has shape "
                        + Tensor.shapeString(shape) + ", input 0 has " + rows + " rows; unbatch splits every part of a sample along its first axis", null);
            }
        }
        return rows;
    }

    /** Row {@code k} of {@code t}: a (rows,) tensor gives a (1,) one, as a table's column of one value per sample. */
    private static Tensor row(Tensor t, int k) {
        int[] shape = t.shape();
        int[] unit = shape.length == 1 ? new int[] {1} : java.util.Arrays.copyOfRange(shape, 1, shape.length);
        int size = t.size() / shape[0];
        return Tensor.wrap(java.util.Arrays.copyOfRange(t.data(), k * size, (k + 1) * size), unit);
    }

    /** {@link Dataset#shard}: a table's order picks the positions (the others are never read), a stream's are read and dropped. */
    static Dataset shard(Dataset d, int num, int index) {
        if (num < 1) throw new IllegalArgumentException("Dataset.shard: numShards must be >= 1, got " + num);
        if (index < 0 || index >= num) throw new IllegalArgumentException("Dataset.shard: index must be in [0, " + num + "), got " + index);
        Dataset s = OrderOps.derive(d, o -> new Order.Sharded(o, num, index), f -> e -> shard(f.apply(e), num, index));
        long n = d.streamSize;
        s.streamSize = n < 0 || n == BatchOps.ENDLESS ? n : n <= index ? 0 : (n - index - 1) / num + 1;
        return s;
    }

    /**
     * The samples of {@code src} for which {@code keep} holds ({@code op} "filter"), or those up to the first for which it
     * fails ("takeWhile": none read after it); a predicate that throws fails naming the sample.
     */
    static StreamOps.Stream filter(StreamOps.Stream src, Predicate<Sample> keep, String op) {
        boolean stops = op.equals("takeWhile");
        return StreamOps.over(new Iterator<>() {
            Sample next;
            boolean ended;
            public boolean hasNext() {
                while (next == null && !ended && src.hasNext()) {
                    Sample s = src.next();
                    if (test(keep, s, op)) next = s;
                    else ended = stops;
                }
                return next != null;
            }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                Sample s = next;
                next = null;
                return s;
            }
        }, src::close);
    }

    private static boolean test(Predicate<Sample> p, Sample s, String op) {
        try {
            return p.test(s);
        } catch (RuntimeException e) {
            throw new DataException(s.where(), "the " + op + " predicate failed: " + e, e);
        }
    }

    /** Samples {@code index, index + num, ...} of {@code src} (the others are read and dropped). */
    static StreamOps.Stream shard(StreamOps.Stream src, long num, long index) {
        long[] k = {0};
        return filter(src, s -> k[0]++ % num == index, "shard");
    }

    /** {@code a}'s samples, then {@code b}'s; {@code b} is opened when {@code a} ends, and each is closed when done. */
    static StreamOps.Stream concatenate(StreamOps.Stream a, LongFunction<StreamOps.Stream> b, long epoch) {
        StreamOps.Stream[] cur = {a};
        boolean[] second = {false};
        return StreamOps.over(new Iterator<>() {
            public boolean hasNext() {
                if (cur[0].hasNext()) return true;
                if (second[0]) return false;
                second[0] = true;
                StreamOps.Stream done = cur[0];
                cur[0] = StreamOps.over(java.util.Collections.emptyIterator(), null);   // closed once, even if b fails to open
                done.close();
                cur[0] = b.apply(epoch);
                return cur[0].hasNext();
            }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                return cur[0].next();
            }
        }, () -> cur[0].close());
    }

    /**
     * tf.data's {@code zip((x, y))}: the inputs of {@code x}'s sample and, as targets, the inputs of {@code y}'s, until either
     * ends; each side must give inputs only (the weights and length of x's sample are kept).
     */
    static StreamOps.Stream zip(StreamOps.Stream x, StreamOps.Stream y) {
        return StreamOps.over(new Iterator<>() {
            public boolean hasNext() { return x.hasNext() && y.hasNext(); }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                Sample a = x.next(), b = y.next();
                if (!a.targets().isEmpty() || !b.targets().isEmpty() || !b.weights().isEmpty()) {
                    Sample bad = a.targets().isEmpty() ? b : a;
                    throw new DataException(bad.where(), "Dataset.zip: its side " + (bad == a ? "inputs" : "targets") + " gives "
                            + bad.targets().size() + " targets and " + bad.weights().size() + " sample weights; zip data sets of inputs only"
                            + " (fromTensors(x, null)): the second one's become the targets", null);
                }
                return new Sample(a.inputs(), b.inputs(), a.weights(), a.length(), a.index(), a.source());
            }
        }, () -> {
            try {
                x.close();
            } finally {
                y.close();
            }
        });
    }

    /**
     * tf.data's {@code window(size, shift, stride, drop_remainder).flat_map(lambda w: w.batch(size))}: window {@code k} stacks
     * samples {@code k*shift + i*stride} ({@code i < size}) part by part into one sample of (size, ...) tensors. Windows start
     * at every shift while a sample is left there; a shorter last one is kept unless {@code drop}, and then every window is a
     * sequence (its length its samples) so a batch pads the short ones and masks the padding. At most
     * {@code (size - 1) * stride + 1} samples are held.
     */
    static StreamOps.Stream window(StreamOps.Stream src, int size, long shift, long stride, boolean drop) {
        ArrayDeque<Sample> held = new ArrayDeque<>();
        return StreamOps.over(new Iterator<>() {
            long first, read;   // the held samples are [first, read) of the stream
            long k;             // the next window
            Sample next;
            boolean ended;
            public boolean hasNext() {
                if (next != null || ended) return next != null;
                long start = k * shift;
                while (first < start && !held.isEmpty()) {
                    held.removeFirst();
                    first++;
                }
                if (held.isEmpty()) {
                    while (read < start && src.hasNext()) {   // samples between windows (shift > span) are read and dropped
                        src.next();
                        read++;
                    }
                    first = read;
                }
                long last = start + (long) (size - 1) * stride;
                while (read <= last && src.hasNext()) {
                    held.addLast(src.next());
                    read++;
                }
                List<Sample> w = new ArrayList<>(size);
                int i = 0;
                for (Sample s : held) {
                    long at = first + i++;
                    if (at >= start && (at - start) % stride == 0 && w.size() < size) w.add(s);
                }
                if (w.isEmpty() || drop && w.size() < size) {
                    ended = true;
                    return false;
                }
                next = stack(w, !drop);
                k++;
                return true;
            }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                Sample s = next;
                next = null;
                return s;
            }
        }, src::close);
    }

    /** The samples of one window stacked part by part: (n, ...) tensors; a sequence of length n when {@code sequence}. */
    private static Sample stack(List<Sample> w, boolean sequence) {
        Sample s0 = w.get(0);
        for (Sample s : w) {
            if (s.length() >= 0) {
                throw new DataException(s.where(), "Dataset.window: the sample is a variable-length sequence; window stacks"
                        + " fixed-shape samples (one per step) into sequences", null);
            }
        }
        return new Sample(stack(w, 0, s0.inputs().size()), stack(w, 1, s0.targets().size()), stack(w, 2, s0.weights().size()),
                sequence ? w.size() : -1, s0.index(), s0.source());
    }

    private static List<Tensor> stack(List<Sample> w, int kind, int parts) {
        List<Tensor> out = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            Tensor t0 = part(w.get(0), kind, p, parts);
            int[] unit = t0.shape(), shape = new int[unit.length + 1];
            shape[0] = w.size();
            System.arraycopy(unit, 0, shape, 1, unit.length);
            float[] d = new float[Math.toIntExact((long) w.size() * t0.size())];
            for (int i = 0; i < w.size(); i++) {
                Tensor t = part(w.get(i), kind, p, parts);
                if (!java.util.Arrays.equals(t.shape(), unit)) {
                    throw new DataException(w.get(i).where(), "Dataset.window: " + (kind == 0 ? "input " : kind == 1 ? "target " : "sample weight ")
                            + p + " has shape " + Tensor.shapeString(t.shape()) + ", " + w.get(0).where() + " has "
                            + Tensor.shapeString(unit) + "; a window stacks samples of one shape", null);
                }
                System.arraycopy(t.data(), 0, d, i * t0.size(), t0.size());
            }
            out.add(Tensor.wrap(d, shape));
        }
        return out;
    }

    private static Tensor part(Sample s, int kind, int p, int parts) {
        List<Tensor> l = kind == 0 ? s.inputs() : kind == 1 ? s.targets() : s.weights();
        if (l.size() != parts) {
            throw new DataException(s.where(), "Dataset.window: " + l.size() + (kind == 0 ? " inputs" : kind == 1 ? " targets" : " sample weights")
                    + ", the window's first sample has " + parts, null);
        }
        return l.get(p);
    }

    /**
     * tf.data's memory {@code cache()}: the first pass that is read to its end is kept, and every later one (epoch, pass of a
     * repeat) replays it without reading {@code src}; a pass left before its end keeps nothing, as tf.data discards a partial
     * cache.
     */
    static LongFunction<StreamOps.Stream> cache(LongFunction<StreamOps.Stream> src) {
        AtomicReference<List<Sample>> kept = new AtomicReference<>();
        return e -> {
            List<Sample> c = kept.get();
            if (c != null) return StreamOps.over(c.iterator(), null);
            StreamOps.Stream s = src.apply(e);
            List<Sample> seen = new ArrayList<>();
            return StreamOps.over(new Iterator<>() {
                public boolean hasNext() {
                    if (s.hasNext()) return true;
                    kept.compareAndSet(null, List.copyOf(seen));
                    return false;
                }
                public Sample next() {
                    Sample x = s.next();
                    seen.add(x);
                    return x;
                }
            }, s::close);
        };
    }
}
