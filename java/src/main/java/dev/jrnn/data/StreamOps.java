package dev.jrnn.data;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/** The sample-stream operations of data sets that cannot be indexed (user generators). */
final class StreamOps {
    private StreamOps() {}

    /**
     * A generator's samples, closing what it reads from: the user's iterator when it is {@link AutoCloseable} (a file, a
     * socket), as a tf.data generator is finalized when its iterator goes.
     */
    interface Stream extends Iterator<Sample> {
        void close();
    }

    /** A stream over {@code src} that closes {@code closing} (null: nothing). */
    static Stream over(Iterator<Sample> src, Runnable closing) {
        return new Stream() {
            public boolean hasNext() { return src.hasNext(); }
            public Sample next() { return src.next(); }
            public void close() { if (closing != null) closing.run(); }
        };
    }

    /**
     * Numbers the samples a generator left unnumbered, so messages can name them; closes {@code src} if it is AutoCloseable.
     * The iterator's own failures become a DataException naming the sample it was to give, as a map's do (but for an
     * UncheckedIOException, which fit and predict report as the IOException it holds).
     */
    static Stream numbered(Iterator<? extends Sample> src) {
        return over(new Iterator<>() {
            long k;
            public boolean hasNext() {
                try {
                    return src.hasNext();
                } catch (DataException | UncheckedIOException e) {   // named already; an I/O failure stays one (fit's IOException)
                    throw e;
                } catch (RuntimeException e) {
                    throw new DataException("generator sample " + k, "the generator's hasNext() failed: " + e, e);
                }
            }
            public Sample next() {
                Sample s;
                try {
                    s = src.next();
                } catch (DataException | UncheckedIOException e) {   // named already; an I/O failure stays one (fit's IOException)
                    throw e;
                } catch (RuntimeException e) {
                    throw new DataException("generator sample " + k, "the generator's next() failed: " + e, e);
                }
                long i = k++;
                if (s == null) throw new DataException("generator sample " + i, "the generator returned null", null);
                return s.index() >= 0 ? s : new Sample(s.inputs(), s.targets(), s.weights(), s.length(), i, s.source() == null ? "generator" : s.source());
            }
        }, src instanceof AutoCloseable c ? () -> {
            try {
                c.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("Dataset.fromIterator: closing the generator's iterator failed: " + e, e);
            }
        } : null);
    }

    /** A bounded shuffle buffer: each sample leaves from a random slot of {@code size}. */
    static Stream shuffle(Stream src, int size, SplittableRandom rnd) {
        List<Sample> buf = new ArrayList<>(Math.min(size, 1 << 16));
        return over(new Iterator<>() {
            public boolean hasNext() {
                while (buf.size() < size && src.hasNext()) buf.add(src.next());
                return !buf.isEmpty();
            }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                int i = rnd.nextInt(buf.size());
                Sample s = buf.get(i);
                buf.set(i, buf.get(buf.size() - 1));
                buf.remove(buf.size() - 1);
                return s;
            }
        }, src::close);
    }

    static Stream take(Stream src, long n) {
        return over(new Iterator<>() {
            long k;
            public boolean hasNext() { return k < n && src.hasNext(); }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                k++;
                return src.next();
            }
        }, src::close);
    }

    /** Skips lazily, on the first read (the prefetch thread's), as tf.data: epoch() neither blocks on nor throws for them. */
    static Stream skip(Stream src, long n) {
        return over(new Iterator<>() {
            boolean skipped;
            public boolean hasNext() {
                if (!skipped) {
                    skipped = true;
                    for (long k = 0; k < n && src.hasNext(); k++) src.next();
                }
                return src.hasNext();
            }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                return src.next();
            }
        }, src::close);
    }

    /**
     * Passes {@code epoch*times .. epoch*times+times-1} of {@code inner}, one after another ({@code times < 0}: endless); each
     * pass is closed when the next one starts.
     */
    static Stream repeat(LongFunction<Stream> inner, long epoch, long times) {
        long t = times < 0 ? 1L << 20 : times;
        if (times == 0) return over(java.util.Collections.emptyIterator(), null);   // tf.data's repeat(0): its input never opened
        Stream[] cur = {inner.apply(epoch * t)};
        return over(new Iterator<>() {
            long pass;
            public boolean hasNext() {
                while (!cur[0].hasNext()) {
                    if (times >= 0 && pass + 1 >= times) return false;
                    cur[0].close();
                    cur[0] = over(java.util.Collections.emptyIterator(), null);   // if the next pass fails to open, close() must not close this one again
                    Stream nxt = inner.apply(epoch * t + ++pass);
                    cur[0] = nxt;
                    if (!nxt.hasNext()) return false;   // an empty pass would loop forever
                }
                return true;
            }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                return cur[0].next();
            }
        }, () -> cur[0].close());
    }

    static Stream map(Stream src, UnaryOperator<Sample> f) {
        return over(new Iterator<>() {
            public boolean hasNext() { return src.hasNext(); }
            public Sample next() { return apply(f, src.next()); }
        }, src::close);
    }

    static Sample apply(UnaryOperator<Sample> f, Sample s) {
        Sample out;
        try {
            out = f.apply(s);
        } catch (RuntimeException e) {
            throw new DataException(s.where(), "the map function failed: " + e, e);
        }
        if (out == null) throw new DataException(s.where(), "the map function returned null", null);
        return out;
    }
}
