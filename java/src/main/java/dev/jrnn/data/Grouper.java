package dev.jrnn.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Cuts a stream of samples into batches: in order, or (with length boundaries) into buckets of
 * similar sequence length, each batch coming out as soon as its bucket is full and the partial
 * buckets at the end of the epoch (unless the remainder is dropped).
 */
final class Grouper<T> {
    private final Iterator<T> src;
    private final int size;
    private final boolean drop;
    private final int[] boundaries;    // null: plain batching
    private final ToIntFunction<T> length;
    private final List<List<T>> buckets = new ArrayList<>();
    private int flush;

    Grouper(Iterator<T> src, int size, boolean drop, int[] boundaries, ToIntFunction<T> length) {
        this.src = src;
        this.size = size;
        this.drop = drop;
        this.boundaries = boundaries;
        this.length = length;
        int n = boundaries == null ? 1 : boundaries.length + 1;
        for (int i = 0; i < n; i++) buckets.add(new ArrayList<>(Math.min(size, 1024)));   // batch(Integer.MAX_VALUE): all in one, no huge array up front
    }

    /** The next batch's samples, or null at the end. */
    List<T> next() {
        while (src.hasNext()) {
            T t = src.next();
            List<T> b = buckets.get(bucket(t));
            b.add(t);
            if (b.size() == size) {
                List<T> out = new ArrayList<>(b);
                b.clear();
                return out;
            }
        }
        while (flush < buckets.size()) {
            List<T> b = buckets.get(flush++);
            if (!b.isEmpty() && !drop) return b;
        }
        return null;
    }

    private int bucket(T t) {
        if (boundaries == null) return 0;
        int len = length.applyAsInt(t);
        int k = 0;
        while (k < boundaries.length && len >= boundaries[k]) k++;
        return k;
    }
}
