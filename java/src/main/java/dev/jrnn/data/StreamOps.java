package dev.jrnn.data;

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

    /** Numbers the samples a generator left unnumbered, so messages can name them. */
    static Iterator<Sample> numbered(Iterator<? extends Sample> src) {
        return new Iterator<>() {
            long k;
            public boolean hasNext() { return src.hasNext(); }
            public Sample next() {
                Sample s = src.next();
                long i = k++;
                if (s == null) throw new DataException("generator sample " + i, "the generator returned null", null);
                return s.index() >= 0 ? s : new Sample(s.inputs(), s.targets(), s.length(), i, s.source() == null ? "generator" : s.source());
            }
        };
    }

    /** A bounded shuffle buffer: each sample leaves from a random slot of {@code size}. */
    static Iterator<Sample> shuffle(Iterator<Sample> src, int size, SplittableRandom rnd) {
        List<Sample> buf = new ArrayList<>(Math.min(size, 1 << 16));
        return new Iterator<>() {
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
        };
    }

    static Iterator<Sample> take(Iterator<Sample> src, long n) {
        return new Iterator<>() {
            long k;
            public boolean hasNext() { return k < n && src.hasNext(); }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                k++;
                return src.next();
            }
        };
    }

    static Iterator<Sample> skip(Iterator<Sample> src, long n) {
        for (long k = 0; k < n && src.hasNext(); k++) src.next();
        return src;
    }

    /** Passes {@code epoch*times .. epoch*times+times-1} of {@code inner}, one after another ({@code times < 0}: endless). */
    static Iterator<Sample> repeat(LongFunction<Iterator<Sample>> inner, long epoch, long times) {
        long t = times < 0 ? 1L << 20 : times;
        return new Iterator<>() {
            long pass;
            Iterator<Sample> cur = inner.apply(epoch * t);
            public boolean hasNext() {
                while (!cur.hasNext()) {
                    if (times >= 0 && pass + 1 >= times) return false;
                    Iterator<Sample> nxt = inner.apply(epoch * t + ++pass);
                    if (!nxt.hasNext()) return false;   // an empty pass would loop forever
                    cur = nxt;
                }
                return true;
            }
            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                return cur.next();
            }
        };
    }

    static Iterator<Sample> map(Iterator<Sample> src, UnaryOperator<Sample> f) {
        return new Iterator<>() {
            public boolean hasNext() { return src.hasNext(); }
            public Sample next() { return apply(f, src.next()); }
        };
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
