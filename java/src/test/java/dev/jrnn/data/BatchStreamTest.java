package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchStreamTest {
    @TempDir Path dir;

    /** Counts segments handed out and returned. */
    static final class Counting implements BatchMemory {
        final AtomicInteger out = new AtomicInteger(), back = new AtomicInteger();
        public MemorySegment allocate(long floats) {
            out.incrementAndGet();
            return MemorySegment.ofArray(new float[(int) floats]);
        }
        public void release(MemorySegment s) { back.incrementAndGet(); }
    }

    /** 200 samples in batches of 2 whose map counts the samples it made and the threads that made them. */
    static final class Watched {
        final AtomicInteger made = new AtomicInteger();
        final java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final Dataset ds = Dataset.fromTensors(DatasetTest.x(200), DatasetTest.y(200)).map(s -> {
            made.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            return s;
        }).batch(2);

        /** Takes {@code prefetched}'s first batch (of {@link #ds}) and checks it ran {@code depth} batches ahead on the prefetch thread. */
        void assertAssembledAhead(Dataset prefetched, int depth) throws Exception {
            try (BatchStream s = prefetched.epoch(0)) {
                Batch first = s.next();
                Thread.sleep(200);   // the producer fills the queue while the consumer "computes"
                int ahead = made.get() / 2;
                assertTrue(ahead >= depth && ahead <= 1 + depth + 1, "at most depth + the one being filled + the consumer's: " + ahead);
                first.close();
            }
            assertFalse(threads.contains(Thread.currentThread().getName()));
            assertTrue(threads.iterator().next().startsWith("jrnn-prefetch"));
        }
    }

    @Test
    void assemblesAheadOnAnotherThreadWithABoundedQueue() throws Exception {
        Counting mem = new Counting();
        Watched w = new Watched();
        w.assertAssembledAhead(w.ds.prefetch(3).memory(mem), 3);
        assertEquals(mem.out.get(), mem.back.get(), "close hands back the memory of every batch not consumed");
    }

    /**
     * tf.data users write {@code prefetch(tf.data.AUTOTUNE)}, which is -1 (TF 2.21: {@code tf.data.AUTOTUNE} prints -1, and
     * {@code prefetch(-2)} fails "buffer_size must be >= 0 or set buffer_size to be -1 for auto-tuning"); it was refused.
     * It takes the default depth, 2: batches assembled on the prefetch thread, at most two waiting.
     */
    @Test
    void prefetchAutotuneTakesTheDefaultDepth() throws Exception {
        assertEquals(-1, Dataset.AUTOTUNE);
        Watched w = new Watched();
        Dataset ds = w.ds.prefetch(Dataset.AUTOTUNE);
        assertEquals(Dataset.DEFAULT_PREFETCH, ds.prefetch);
        assertEquals(ds.prefetch, Dataset.fromTensors(DatasetTest.x(2), null).prefetch, "the depth of a new data set");
        w.assertAssembledAhead(ds, 2);
        assertEquals(0, Dataset.fromTensors(DatasetTest.x(4), null).batch(2).prefetch(-1).prefetch(0).prefetch, "0 still on the caller's thread");
    }

    /**
     * A generator that clears the interrupt (as code that catches InterruptedException and carries on does) while
     * close() interrupts it: the thread then blocks putting its batch into the full queue, and close must still return.
     */
    @Test
    void closeReturnsWhenTheGeneratorSwallowsTheInterrupt() throws Exception {
        // every segment is handed back exactly once (a batch both queued and closed by its producer went back twice)
        java.util.Map<java.lang.foreign.MemorySegment, Integer> out = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.List<String> twice = new java.util.concurrent.CopyOnWriteArrayList<>();
        BatchMemory counting = new BatchMemory() {
            public java.lang.foreign.MemorySegment allocate(long floats) {
                java.lang.foreign.MemorySegment m = java.lang.foreign.MemorySegment.ofArray(new float[Math.toIntExact(floats)]);
                out.put(m, 1);
                return m;
            }

            public void release(java.lang.foreign.MemorySegment m) {
                if (out.remove(m) == null) twice.add(m.toString());
            }
        };
        java.util.concurrent.CountDownLatch inNext = new java.util.concurrent.CountDownLatch(3);
        Dataset ds = Dataset.fromIterator(() -> new Iterator<Sample>() {
            public boolean hasNext() { return true; }
            public Sample next() {
                inNext.countDown();
                long end = System.nanoTime() + 100_000_000L;   // busy while close() interrupts it
                while (System.nanoTime() < end) Thread.onSpinWait();
                Thread.interrupted();
                return Sample.of(Tensor.zeros(2), Tensor.zeros(1));
            }
        }).batch(1).prefetch(1).memory(counting);
        BatchStream s = ds.epoch(0);
        s.next().close();
        assertTrue(inNext.await(5, java.util.concurrent.TimeUnit.SECONDS));   // batch 2 waits in the queue, batch 3 is being made
        Thread closer = Thread.ofPlatform().daemon().start(s::close);
        closer.join(3000);
        assertFalse(closer.isAlive(), "close() hangs on a producer blocked in the full queue");
        assertFalse(java.util.Arrays.stream(Thread.getAllStackTraces().keySet().toArray(new Thread[0]))
                .anyMatch(t -> t.getName().equals("jrnn-prefetch-epoch-0") && t.isAlive()), "the prefetch thread ended");
        assertTrue(twice.isEmpty(), "segments released twice: " + twice);
        assertTrue(out.isEmpty(), out.size() + " segments never released");
    }

    @Test
    void aNaNFoundInTheBackgroundSurfacesFromNextWithFileAndSample() throws IOException {
        float[] d = DatasetTest.x(20).toArray();
        d[13 * 6 + 4] = Float.NaN;
        Npy.write(dir.resolve("x.npy"), Tensor.of(d, 20, 3, 2));
        Npy.write(dir.resolve("y.npy"), DatasetTest.y(20));
        Dataset ds = Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")).batch(5).checkFinite(true);
        try (BatchStream s = ds.epoch(0)) {
            s.next().close();
            s.next().close();
            DataException e = assertThrows(DataException.class, s::next);
            assertTrue(e.where().endsWith("x.npy sample 13"), e.where());
            assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("input 0"), e.getMessage());
            assertFalse(s.hasNext(), "the stream ends after a failure");
        }
        // without checkFinite the NaN passes through as data
        try (BatchStream s = ds.checkFinite(false).epoch(0)) {
            int n = 0;
            while (s.hasNext()) { s.next().close(); n++; }
            assertEquals(4, n);
        }
    }

    @Test
    void generatorFailuresSurfaceAsThemselves() throws IOException {
        Dataset ds = Dataset.fromIterator(() -> new Iterator<Sample>() {
            int i;
            public boolean hasNext() { return true; }
            public Sample next() {
                if (i == 7) throw new UncheckedIOException(new IOException("socket gone at record " + i));
                return Sample.of(Tensor.zeros(2), Tensor.zeros(1)).with(java.util.List.of(Tensor.full(i++, 2)), java.util.List.of(Tensor.zeros(1)));
            }
        }).batch(3);
        try (BatchStream s = ds.epoch(0)) {
            s.next().close();
            s.next().close();
            UncheckedIOException e = assertThrows(UncheckedIOException.class, s::next);
            assertTrue(e.getMessage().contains("record 7"), e.getMessage());
        }
        Dataset bad = Dataset.fromIterator(() -> java.util.List.of(
                Sample.of(Tensor.zeros(2), Tensor.zeros(1)), Sample.of(Tensor.zeros(3), Tensor.zeros(1))).iterator()).batch(2);
        try (BatchStream s = bad.epoch(0)) {
            DataException e = assertThrows(DataException.class, s::next);
            assertEquals("generator sample 1", e.where());
            assertTrue(e.getMessage().contains("(3,)") && e.getMessage().contains("(2,)"), e.getMessage());
        }
    }

    /**
     * A generator's own iterator failing (next() or hasNext()) is a DataException naming the sample it was to give, as a
     * map's failure, on the prefetch thread or the consumer's (it came out raw, without the sample); an I/O failure stays
     * an UncheckedIOException (above).
     */
    @Test
    void aGeneratorsOwnFailureNamesTheSample() throws IOException {
        for (boolean inHasNext : new boolean[] {false, true}) {
            Dataset ds = Dataset.fromIterator(() -> new Iterator<Sample>() {
                int i;
                public boolean hasNext() {
                    if (inHasNext && i == 17) throw new IllegalStateException("generator broke at 17");
                    return i < 40;
                }
                public Sample next() {
                    if (i == 17) throw new java.util.NoSuchElementException("generator broke at 17");
                    i++;
                    return Sample.of(Tensor.zeros(2), Tensor.zeros(1));
                }
            }).batch(8);
            for (int prefetch : new int[] {2, 0}) {
                try (BatchStream s = ds.prefetch(prefetch).epoch(0)) {
                    s.next().close();
                    s.next().close();
                    DataException e = assertThrows(DataException.class, s::next);
                    assertEquals("generator sample 17", e.where());
                    assertTrue(e.getMessage().startsWith("generator sample 17: the generator's " + (inHasNext ? "hasNext()" : "next()")
                            + " failed: " + (inHasNext ? "java.lang.IllegalStateException" : "java.util.NoSuchElementException") + ": generator broke at 17"),
                            e.getMessage());
                }
            }
        }
    }

    @Test
    void synchronousWhenPrefetchIsZeroAndEpochsDiffer() throws IOException {
        Dataset ds = Dataset.fromTensors(DatasetTest.x(9), DatasetTest.y(9)).shuffle(2).batch(9).prefetch(0);
        long[] a, b;
        try (BatchStream s = ds.epoch(0); Batch x = s.next()) { a = x.indices(); }
        try (BatchStream s = ds.epoch(1); Batch x = s.next()) { b = x.indices(); }
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
    }

    /**
     * A stream dropped without close() (a loop left by break or an exception, as with a tf.data iterator) kept its prefetch thread
     * blocked on the full queue forever, holding the batches; it ends once the stream is collected.
     */
    @Test
    void anAbandonedStreamsThreadEndsWhenTheStreamIsCollected() throws Exception {
        Dataset ds = Dataset.fromTensors(DatasetTest.x(50), DatasetTest.y(50)).batch(1).prefetch(2);
        for (int i = 0; i < 3; i++) abandon(ds, 7_000 + i);
        long end = System.nanoTime() + 20_000_000_000L;
        while (alive("jrnn-prefetch-epoch-700") && System.nanoTime() < end) {
            System.gc();
            Thread.sleep(50);
        }
        assertFalse(alive("jrnn-prefetch-epoch-700"), "prefetch threads of abandoned streams still run");
    }

    private static void abandon(Dataset ds, int epoch) throws IOException {
        BatchStream s = ds.epoch(epoch);
        s.next().close();
    }

    private static boolean alive(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(prefix) && t.isAlive());
    }

    /** A generator's iterator that holds a file (AutoCloseable) was never closed: not at the end of its pass, nor on an early close. */
    @Test
    void aGeneratorsCloseableIteratorIsClosedAtTheEndOfItsPassAndOnClose() throws IOException {
        java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger opened = new AtomicInteger();
        java.util.function.Supplier<Iterator<Sample>> reader = () -> {
            int id = opened.getAndIncrement();
            class Reader implements Iterator<Sample>, AutoCloseable {
                int i;
                public boolean hasNext() { return i < 5; }
                public Sample next() { return Sample.of(Tensor.full(i++, 2), Tensor.zeros(1)); }
                public void close() { events.add("closed " + id); }
            }
            return new Reader();
        };
        for (int depth : new int[] {0, 2}) {
            events.clear();
            opened.set(0);
            try (BatchStream s = Dataset.fromIterator(reader).repeat(2).batch(3).prefetch(depth).epoch(0)) {
                int n = 0;
                while (s.hasNext()) { s.next().close(); n++; }
                assertEquals(4, n);
            }
            assertEquals(java.util.List.of("closed 0", "closed 1"), events, "each pass's reader closed once, prefetch " + depth);
            events.clear();
            opened.set(0);
            try (BatchStream s = Dataset.fromIterator(reader).batch(1).prefetch(depth).epoch(0)) {
                s.next().close();   // an early close: the rest of the pass is never read
            }
            assertEquals(java.util.List.of("closed 0"), events, "closed on an early close, prefetch " + depth);
        }
        // a failing close surfaces after the batches, as the generator's own failure would
        Dataset failing = Dataset.fromIterator(() -> {
            class Broken implements Iterator<Sample>, AutoCloseable {
                int i;
                public boolean hasNext() { return i < 2; }
                public Sample next() { i++; return Sample.of(Tensor.zeros(2), Tensor.zeros(1)); }
                public void close() throws IOException { throw new IOException("disk gone"); }
            }
            return new Broken();
        }).batch(2);
        try (BatchStream s = failing.epoch(0)) {
            s.next().close();
            IllegalStateException e = assertThrows(IllegalStateException.class, s::next);
            assertTrue(e.getMessage().contains("closing the generator's iterator failed") && e.getMessage().contains("disk gone"), e.getMessage());
        }
    }

    /** repeat(): a supplier failing to open the next pass left the closed pass current, so close() closed its reader twice. */
    @Test
    void aPassThatFailsToOpenDoesNotCloseThePreviousReaderTwice() throws IOException {
        java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger opened = new AtomicInteger();
        Dataset ds = Dataset.fromIterator(() -> {
            int id = opened.getAndIncrement();
            if (id == 1) throw new IllegalStateException("pass 1 cannot open");
            class Reader implements Iterator<Sample>, AutoCloseable {
                int i;
                public boolean hasNext() { return i < 2; }
                public Sample next() { i++; return Sample.of(Tensor.zeros(2), Tensor.zeros(1)); }
                public void close() { events.add("closed " + id); }
            }
            return new Reader();
        }).repeat(2).batch(2).prefetch(0);
        try (BatchStream s = ds.epoch(0)) {
            s.next().close();
            IllegalStateException e = assertThrows(IllegalStateException.class, s::next);
            assertEquals("pass 1 cannot open", e.getMessage());
        }
        assertEquals(java.util.List.of("closed 0"), events);
    }

    /**
     * skip(n) of a generator read its n samples inside epoch(), on the caller's thread: epoch() blocked on a slow source, and a
     * failure while skipping was thrown by epoch() instead of by next() like every other generator failure.
     */
    @Test
    void aGeneratorsSkipReadsOnThePrefetchThread() throws IOException {
        AtomicInteger read = new AtomicInteger();
        java.util.Set<String> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Dataset ds = Dataset.fromIterator(() -> new Iterator<Sample>() {
            public boolean hasNext() { return true; }
            public Sample next() {
                readers.add(Thread.currentThread().getName());
                if (read.incrementAndGet() == 3) throw new IllegalStateException("record 3 is bad");
                return Sample.of(Tensor.zeros(2), Tensor.zeros(1));
            }
        }).skip(5).batch(2);
        try (BatchStream s = ds.prefetch(0).epoch(0)) {
            assertEquals(0, read.get(), "epoch() read the skipped samples");
            DataException e = assertThrows(DataException.class, s::next);
            assertEquals("generator sample 2", e.where());
            assertEquals("record 3 is bad", e.getCause().getMessage());
        }
        read.set(0);
        readers.clear();
        try (BatchStream s = ds.prefetch(2).epoch(0)) {
            assertThrows(DataException.class, s::next);
        }
        assertFalse(readers.contains(Thread.currentThread().getName()), "with prefetch the skipped samples are read ahead too: " + readers);
    }

    /** close() from another thread (a stop button, a timeout) left a consumer waiting in hasNext() blocked forever. */
    @Test
    void aConsumerWaitingForABatchWakesWhenAnotherThreadCloses() throws Exception {
        Dataset slow = Dataset.fromIterator(() -> new Iterator<Sample>() {
            public boolean hasNext() { return true; }
            public Sample next() {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    throw new IllegalStateException("interrupted", e);
                }
                return Sample.of(Tensor.zeros(2), null);
            }
        }).batch(1);
        BatchStream s = slow.epoch(0);
        java.util.concurrent.atomic.AtomicReference<Throwable> got = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        Thread consumer = Thread.ofPlatform().daemon().start(() -> {
            waiting.countDown();
            try {
                s.hasNext();
            } catch (Throwable t) {
                got.set(t);
            }
        });
        assertTrue(waiting.await(5, java.util.concurrent.TimeUnit.SECONDS));
        Thread.sleep(100);   // the consumer is in take()
        s.close();
        consumer.join(5000);
        assertFalse(consumer.isAlive(), "the consumer still waits after close()");
        assertTrue(got.get() instanceof IllegalStateException && got.get().getMessage().contains("closed"), String.valueOf(got.get()));
        assertFalse(s.hasNext());
    }

    /**
     * A producer stuck in I/O that ignores interrupts, closed from a thread that is itself interrupted (a stop button on a
     * cancelled task): close() gave up waiting for the producer and the consumer waited in take() forever.
     */
    @Test
    void aWaitingConsumerWakesWhenTheCloserIsInterruptedAndTheProducerIgnoresInterrupts() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Dataset stuck = Dataset.fromIterator(() -> new Iterator<Sample>() {
            public boolean hasNext() { return true; }
            public Sample next() {
                while (release.getCount() > 0) {   // deaf to interrupts, as blocking I/O is
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // carries on
                    }
                }
                return Sample.of(Tensor.zeros(2), null);
            }
        }).batch(1).prefetch(1);
        BatchStream s = stuck.epoch(0);
        java.util.concurrent.atomic.AtomicReference<Throwable> got = new java.util.concurrent.atomic.AtomicReference<>();
        Thread consumer = Thread.ofPlatform().daemon().start(() -> {
            try {
                s.hasNext();
            } catch (Throwable t) {
                got.set(t);
            }
        });
        Thread.sleep(100);   // the consumer waits for the first batch
        Thread closer = Thread.ofPlatform().daemon().start(() -> {
            Thread.currentThread().interrupt();
            s.close();
        });
        closer.join(5000);
        assertFalse(closer.isAlive(), "close() hangs");
        consumer.join(5000);
        boolean hung = consumer.isAlive();
        release.countDown();   // let the producer thread end
        assertFalse(hung, "the consumer still waits after close()");
        assertTrue(got.get() instanceof IllegalStateException && got.get().getMessage().contains("closed"), String.valueOf(got.get()));
    }

    /**
     * With prefetch(0) the generator runs on the consumer's thread; a close() from another thread closed the user's
     * iterator while the consumer was inside its next(). The consumer now closes it once next() returned.
     */
    @Test
    void aCloseFromAnotherThreadDoesNotCloseTheGeneratorWhileTheConsumerReadsIt() throws Exception {
        java.util.concurrent.CountDownLatch inNext = new java.util.concurrent.CountDownLatch(1), release = new java.util.concurrent.CountDownLatch(1);
        java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        class Reader implements Iterator<Sample>, AutoCloseable {
            volatile boolean reading;
            public boolean hasNext() { return true; }
            public Sample next() {
                reading = true;
                inNext.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                reading = false;
                return Sample.of(Tensor.zeros(2), null);
            }
            public void close() { events.add(reading ? "closed while reading" : "closed"); }
        }
        BatchStream s = Dataset.fromIterator(Reader::new).batch(1).prefetch(0).epoch(0);
        java.util.concurrent.atomic.AtomicReference<Throwable> got = new java.util.concurrent.atomic.AtomicReference<>();
        Thread consumer = Thread.ofPlatform().daemon().start(() -> {
            try {
                s.next().close();
            } catch (Throwable t) {
                got.set(t);
            }
        });
        assertTrue(inNext.await(5, java.util.concurrent.TimeUnit.SECONDS));
        s.close();
        release.countDown();
        consumer.join(5000);
        assertFalse(consumer.isAlive());
        assertEquals(java.util.List.of("closed"), events, "the generator is closed once, after its next() returned");
        assertTrue(got.get() instanceof IllegalStateException && got.get().getMessage().contains("closed"), String.valueOf(got.get()));
    }

    /**
     * close() from another thread racing the consumer's hasNext()/next(): next() returned null (the closer cleared the slot
     * after the consumer filled it) or a batch the closer had already handed back. A race, so this repeats it many times;
     * it cannot fail deterministically against the old code.
     */
    @Test
    void aConcurrentCloseNeverHandsOutNullOrAReleasedBatch() throws Exception {
        java.util.Set<MemorySegment> released = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
        BatchMemory mem = new BatchMemory() {
            public MemorySegment allocate(long floats) { return MemorySegment.ofArray(new float[(int) floats]); }
            public void release(MemorySegment m) { if (!released.add(m)) wrong.add("released twice"); }
        };
        Dataset ds = Dataset.fromTensors(DatasetTest.x(64), DatasetTest.y(64)).batch(1).prefetch(1).memory(mem);
        long end = System.nanoTime() + 400_000_000L;
        for (int i = 0; System.nanoTime() < end && wrong.isEmpty(); i++) {
            BatchStream s = ds.epoch(i);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            Thread consumer = Thread.ofPlatform().daemon().start(() -> {
                go.countDown();
                try {
                    while (s.hasNext()) {
                        Batch b = s.next();
                        if (b == null) {
                            wrong.add("next() gave null");
                            return;
                        }
                        if (released.contains(b.inputSegment(0))) wrong.add("next() gave a released batch");
                        b.close();
                    }
                } catch (IllegalStateException e) {
                    if (!e.getMessage().contains("closed")) wrong.add(e.toString());
                } catch (Throwable t) {
                    wrong.add(t.toString());
                }
            });
            go.await();
            for (int k = i % 7; k > 0; k--) Thread.onSpinWait();
            s.close();
            consumer.join(5000);
            if (consumer.isAlive()) wrong.add("the consumer hangs");
        }
        assertTrue(wrong.isEmpty(), String.valueOf(wrong));
    }

    /** prefetch(n) and batch(n) are bounds (tf.data's): a large n allocated an n-slot array up front (OutOfMemoryError at epoch()). */
    @Test
    void largePrefetchDepthsAndBatchSizesAreBoundsNotAllocations() throws IOException {
        Dataset ds = Dataset.fromTensors(DatasetTest.x(10), DatasetTest.y(10)).batch(4).prefetch(Integer.MAX_VALUE);
        assertEquals(3, DatasetTest.drain(ds, 0, null, null).size());
        // likewise batch(n) larger than the data set: one batch of everything (tf.data), no n-slot list up front
        java.util.List<long[]> idx = new java.util.ArrayList<>();
        Dataset all = Dataset.fromTensors(DatasetTest.x(10), DatasetTest.y(10)).batch(Integer.MAX_VALUE);
        assertEquals(1, all.batchesPerEpoch(), "n + batchSize - 1 overflowed");
        DatasetTest.drain(all, 0, idx, null);
        assertEquals(1, idx.size());
        assertEquals(10, idx.get(0).length);
    }

    /** A BatchMemory giving a segment shorter than asked failed as "x.npy sample 0: could not be read: IndexOutOfBounds...", blaming the file. */
    @Test
    void aShortSegmentFromTheBatchMemoryIsNamedNotBlamedOnTheFile() throws IOException {
        Npy.write(dir.resolve("x.npy"), DatasetTest.x(4));
        BatchMemory tooSmall = floats -> MemorySegment.ofArray(new float[1]);
        try (BatchStream s = Dataset.fromNpy(dir.resolve("x.npy"), null).batch(4).memory(tooSmall).prefetch(0).epoch(0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, s::next);
            assertTrue(e.getMessage().contains("BatchMemory gave 4 bytes for 24 float32 values"), e.getMessage());
        }
    }

    /** Reads {@code ds}'s epoch 0 to its end on this thread, returning the batches read; its failure is thrown. */
    private static int readAll(Dataset ds) throws IOException {
        try (BatchStream s = ds.epoch(0)) {
            int n = 0;
            while (s.hasNext()) try (Batch b = s.next()) { n++; }
            return n;
        }
    }

    /**
     * A map's own failure met while the prefetch thread's flag is set (a library set it, then a bad value) reaches the
     * consumer as itself, a note naming the thread and the batch suppressed in it; an Error as itself. Before, both came
     * as an IllegalStateException saying the thread was interrupted (the data failure read as an interrupt, the
     * StackOverflowError was no Error any more).
     */
    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aRealFailureOrAnErrorWhileThePrefetchThreadsFlagIsSetComesAsItself() {
        for (boolean error : new boolean[] {false, true}) {
            AtomicInteger samples = new AtomicInteger();
            Dataset ds = Dataset.fromTensors(DatasetTest.x(24), DatasetTest.y(24)).map(s -> {
                if (samples.incrementAndGet() == 6) {   // sample 6: batch 2
                    Thread.currentThread().interrupt();
                    if (error) throw new StackOverflowError("deep in a map");
                    throw new IllegalArgumentException("a bad value in sample 6");
                }
                return s;
            }).batch(4);
            if (error) {
                StackOverflowError e = assertThrows(StackOverflowError.class, () -> readAll(ds));
                assertEquals("deep in a map", e.getMessage());
                assertEquals(0, e.getSuppressed().length);
            } else {
                DataException e = assertThrows(DataException.class, () -> readAll(ds));
                assertTrue(e.getMessage().contains("a bad value in sample 6"), e.getMessage());
                assertEquals(1, e.getSuppressed().length);
                String note = e.getSuppressed()[0].getMessage();
                assertTrue(note.startsWith("BatchStream: the prefetch thread jrnn-prefetch-epoch-0's interrupt flag was set"), note);
                assertTrue(note.contains("while making batch 2 of the epoch"), note);
            }
            assertFalse(Thread.currentThread().isInterrupted(), "the consumer's flag stays clear");
        }
    }

    /**
     * A failure whose message throws, met while the prefetch thread's flag is set, still reaches the consumer: building
     * the failure the consumer gets must not end the thread before it hands the epoch's end over (the consumer would wait
     * forever).
     */
    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aFailureWhoseMessageThrowsStillReachesTheConsumer() {
        for (boolean interruptKind : new boolean[] {false, true}) {
            AtomicInteger samples = new AtomicInteger();
            Dataset ds = Dataset.fromTensors(DatasetTest.x(24), DatasetTest.y(24)).map(s -> {
                if (samples.incrementAndGet() == 6) {
                    Thread.currentThread().interrupt();
                    if (interruptKind) throw new UncheckedIOException(new java.io.InterruptedIOException() {
                        @Override public String getMessage() { throw new IllegalStateException("a message that throws"); }
                    });
                    throw new RuntimeException() {
                        @Override public String getMessage() { throw new IllegalStateException("a message that throws"); }
                    };
                }
                return s;
            }).batch(4);
            assertThrows(RuntimeException.class, () -> readAll(ds));
        }
    }

    /**
     * A generator that sets its (prefetch) thread's flag as it ends: returning its end, the epoch ends normally; failing,
     * the consumer gets its failure. The end or failure is handed over though the flag is set (a put would fail on it and
     * the consumer wait forever).
     */
    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aGeneratorSettingItsFlagAtItsEndStillEndsTheEpoch() throws IOException {
        for (boolean fails : new boolean[] {false, true}) {
            Dataset ds = Dataset.fromIterator(() -> new Iterator<Sample>() {
                int i;
                public boolean hasNext() {
                    if (i < 8) return true;
                    Thread.currentThread().interrupt();
                    if (fails) throw new IllegalStateException("the generator's source went away");
                    return false;
                }
                public Sample next() { return Sample.of(Tensor.full(i++, 2), Tensor.zeros(1)); }
            }).batch(4);
            if (!fails) {
                assertEquals(2, readAll(ds));
            } else {
                try (BatchStream s = ds.epoch(0)) {
                    s.next().close();
                    s.next().close();
                    RuntimeException e = assertThrows(RuntimeException.class, s::next);
                    boolean named = false;
                    for (Throwable c = e; c != null; c = c.getCause()) named |= "the generator's source went away".equals(c.getMessage());
                    assertTrue(named || e.getMessage().contains("the generator's source went away"), e.toString());
                }
            }
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }

    /**
     * A failure instance a data set throws again every epoch, met while the prefetch thread's flag is set, carries the
     * thread's note once: before, the same instance got one more note per epoch (three after three epochs).
     */
    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aFailureThrownAgainEveryEpochCarriesTheFlagsNoteOnce() throws IOException {
        UncheckedIOException same = new UncheckedIOException("the same failure every epoch", new IOException("a stored read error"));
        Dataset ds = Dataset.fromIterator(() -> java.util.stream.IntStream.range(0, 24).mapToObj(i -> {
            if (i == 6) {   // a generator's stored failure, thrown again at sample 6 of each epoch (I/O failures pass as themselves)
                Thread.currentThread().interrupt();
                throw same;
            }
            return Sample.of(Tensor.of(new float[] {i}, 1), null);
        }).iterator()).batch(4);
        for (int epoch = 0; epoch < 3; epoch++) {
            try (BatchStream s = ds.epoch(epoch)) {
                UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> {
                    while (s.hasNext()) try (Batch b = s.next()) { assertTrue(b.size() > 0); }
                });
                assertTrue(e == same, "epoch " + epoch + ": the failure as itself, got " + e);
            }
        }
        assertEquals(1, same.getSuppressed().length, java.util.Arrays.toString(same.getSuppressed()));
        assertTrue(same.getSuppressed()[0].getMessage().contains("jrnn-prefetch-epoch-0's interrupt flag was set"), same.getSuppressed()[0].getMessage());
        assertFalse(Thread.currentThread().isInterrupted(), "the consumer's flag stays clear");
    }

    /**
     * The prefetch thread's check for an interrupt among a failure's causes walks the whole chain, each throwable once
     * (FileFaults.causes): an interrupt 100 causes deep ends the epoch as the thread's interrupt (before, the walk stopped
     * at 64 and the failure came as itself), a chain that loops back without one ends the walk (the failure as itself,
     * with the flag's note), and an interrupt inside an ExecutionException is another thread's (the failure as itself).
     */
    @Test
    @org.junit.jupiter.api.Timeout(30)
    void theInterruptCheckWalksAWholeChainOnceAndNotIntoAnExecutionException() {
        RuntimeException deep = new RuntimeException(new java.io.InterruptedIOException("deep"));
        for (int k = 0; k < 100; k++) deep = new RuntimeException("wrap " + k, deep);
        RuntimeException a = new RuntimeException("a"), looping = new RuntimeException("b", a);
        a.initCause(looping);
        RuntimeException other = new RuntimeException("a future's", new java.util.concurrent.ExecutionException(new InterruptedException()));
        for (RuntimeException thrown : new RuntimeException[] {deep, looping, other}) {
            AtomicInteger samples = new AtomicInteger();
            Dataset ds = Dataset.fromTensors(DatasetTest.x(24), DatasetTest.y(24)).map(s -> {
                if (samples.incrementAndGet() == 6) {
                    Thread.currentThread().interrupt();
                    throw thrown;
                }
                return s;
            }).batch(4);
            RuntimeException e = assertThrows(RuntimeException.class, () -> readAll(ds));
            if (thrown == deep) {
                assertTrue(e instanceof IllegalStateException && e.getMessage().contains("jrnn-prefetch-epoch-0 was interrupted"), String.valueOf(e));
                assertTrue(e.getCause() instanceof java.util.concurrent.ExecutionException, String.valueOf(e.getCause()));
            } else {
                Throwable own = e instanceof DataException ? e.getCause() : e;
                assertTrue(own == thrown, "the failure itself (in its DataException), got " + e);
                assertTrue(e.getMessage().contains(thrown.getMessage()), e.getMessage());
                assertEquals(1, e.getSuppressed().length, java.util.Arrays.toString(e.getSuppressed()));
            }
            assertFalse(Thread.currentThread().isInterrupted(), "the consumer's flag stays clear");
        }
    }
}
