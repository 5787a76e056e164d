package dev.jrnn.backend.cpu;

import static dev.jrnn.backend.cpu.Gemm.MR;
import static dev.jrnn.backend.cpu.Gemm.NR;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The packing arrays one part of a product works in ({@link Gemm}, {@link PackedB}, {@link WeightGradients}): an A
 * block, a B panel and the micro-kernel's tile, the first two grown to what the products run on them need (a fixed
 * KC x NC panel is 4 MiB with AVX-512, where an H = 128 layer's products use 256 KiB of it).
 *
 * <p>Each {@link Parallel} worker keeps one set in its own slot; any other thread (a caller, which runs parts of
 * its products too, a virtual thread, the fork thread) borrows one of at most {@link Parallel#THREADS} shared
 * sets and gives it back when its part ends. So what is kept is bounded by the cores, not by the threads that
 * ever ran a product (a thread-local set per caller kept ~4.5 MiB for the life of every request thread); a set is
 * made afresh only while more callers than shared slots are inside a product at once, and kept when given back
 * only if a shared slot is free then (else it is garbage): so up to {@code 2 * THREADS - 1} sets are kept.
 * {@link #trim()} drops every kept set (a set in use is dropped when given back).
 *
 * <pre>{@code
 * GemmScratch s = GemmScratch.borrow();
 * try {
 *     float[] bp = s.b(GemmScratch.bPanel(n, k));   // at least that long
 *     // ... pack into bp, multiply
 * } finally {
 *     GemmScratch.giveBack(s);
 * }
 * }</pre>
 */
final class GemmScratch {
    private static final float[] EMPTY = new float[0];

    private float[] a = EMPTY, b = EMPTY;
    /** The micro-kernel's MR x NR tile. */
    final float[] tile = new float[MR * NR];
    private final int generation;

    private GemmScratch(int generation) {
        this.generation = generation;
        synchronized (MADE) {   // sets are made rarely (a worker's first, a caller's past the shared slots)
            MADE.removeIf(r -> r.get() == null);
            MADE.add(new WeakReference<>(this));
        }
    }

    /** Every set made, weakly held: {@link #reachable()} counts those not yet collected. */
    private static final List<WeakReference<GemmScratch>> MADE = new ArrayList<>();

    /** The A block's floats for an m x k product's part: one MC x KC block at most, rows rounded up to MR. */
    static int aBlock(int m, int k) {
        return Gemm.roundUp(Math.min(Gemm.MC, m), MR) * Math.min(Gemm.KC, k);
    }

    /** The B panel's floats for a k x n product's part: one KC x NC panel at most, columns rounded up to NR. */
    static int bPanel(int n, int k) {
        return Gemm.roundUp(Math.min(Gemm.NC, n), NR) * Math.min(Gemm.KC, k);
    }

    /** The A block, at least {@code n} floats (contents left from earlier products). */
    float[] a(int n) {
        if (a.length < n) a = new float[n];
        return a;
    }

    /** The B panel, at least {@code n} floats (contents left from earlier products). */
    float[] b(int n) {
        if (b.length < n) b = new float[n];
        return b;
    }

    /** Slots [0, WORKERS): worker i's own set at i; [WORKERS, COUNT): the sets other threads share. */
    private static final int WORKERS = Parallel.THREADS - 1;
    private static final int COUNT = WORKERS + Parallel.THREADS;
    /**
     * Slot i lives at SLOTS[i * PAD]: a cache line apart (16 compressed references, 64 bytes), so workers writing
     * their own slots twice per part do not share a line (false sharing on many cores).
     */
    private static final int PAD = 16;
    private static final AtomicReferenceArray<GemmScratch> SLOTS = new AtomicReferenceArray<>(COUNT * PAD);
    /** Raised by {@link #trim}: a set of an older generation is dropped when given back. */
    private static final AtomicInteger GENERATION = new AtomicInteger();
    private static final AtomicInteger MADE_FOR_CALLERS = new AtomicInteger();

    /** A set for the calling thread's part of a product; {@link #giveBack} it when the part ends. */
    static GemmScratch borrow() {
        int home = Parallel.workerIndex();
        if (home >= 0) {   // a worker never takes the shared sets: the callers would then make new ones
            GemmScratch s = SLOTS.getAndSet(home * PAD, null);
            return s != null ? s : new GemmScratch(GENERATION.get());
        }
        for (int i = WORKERS * PAD; i < SLOTS.length(); i += PAD) {
            GemmScratch s = SLOTS.get(i);
            if (s != null && SLOTS.compareAndSet(i, s, null)) return s;
        }
        MADE_FOR_CALLERS.incrementAndGet();
        return new GemmScratch(GENERATION.get());
    }

    /** Keeps {@code s} for a later {@link #borrow}, or drops it (its slots full, or trimmed since it was made). */
    static void giveBack(GemmScratch s) {
        if (s.generation != GENERATION.get()) return;
        int home = Parallel.workerIndex(), slot = -1;
        if (home >= 0) {
            if (SLOTS.compareAndSet(home * PAD, null, s)) slot = home * PAD;
        } else {
            for (int i = WORKERS * PAD; i < SLOTS.length() && slot < 0; i += PAD) {
                if (SLOTS.get(i) == null && SLOTS.compareAndSet(i, null, s)) slot = i;
            }
        }
        // a trim between the check above and the store: take it out again
        if (slot >= 0 && s.generation != GENERATION.get()) SLOTS.compareAndSet(slot, s, null);
    }

    /** Drops every kept set: a later product makes new ones, as small as it needs. */
    static void trim() {
        GENERATION.incrementAndGet();
        for (int i = 0; i < SLOTS.length(); i += PAD) SLOTS.set(i, null);
    }

    /** The most sets kept at once: one per worker and {@link Parallel#THREADS} shared. */
    static int bound() { return COUNT; }

    /**
     * Sets not yet collected, kept or in use or garbage (a probe for tests: after a GC with no product running, at
     * most {@link #bound()}, however many threads that ran products are still alive).
     */
    static int reachable() {
        synchronized (MADE) {
            MADE.removeIf(r -> r.get() == null);
            return MADE.size();
        }
    }

    /** Sets kept now (a probe for tests). */
    static int kept() {
        int n = 0;
        for (int i = 0; i < SLOTS.length(); i += PAD) if (SLOTS.get(i) != null) n++;
        return n;
    }

    /** Floats in the sets kept now (a probe for tests). */
    static long keptFloats() {
        long n = 0;
        for (int i = 0; i < SLOTS.length(); i += PAD) {
            GemmScratch s = SLOTS.get(i);
            if (s != null) n += s.a.length + s.b.length + s.tile.length;
        }
        return n;
    }

    /**
     * Sets made for threads other than the pool's since the class loaded (a probe for tests: none in a steady state;
     * a worker makes one set, again only after a trim).
     */
    static int madeForCallers() { return MADE_FOR_CALLERS.get(); }
}
