package dev.jrnn.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One model's guard against a call that changes it overlapping a call that reads it on another thread, which would
 * otherwise give silently torn results (a predict on half-updated weights). Readers (predict, evaluate, call,
 * getWeights, save) may run on several threads at once; a writer (fit, trainOnBatch, compile, setWeights,
 * loadWeights, resetStates, a call that swaps EMA weights or advances states) runs alone. close() runs now, or once
 * the readers in flight have returned (new ones refused as closed), and is refused only beside another thread's
 * writer. It never waits: a call that would overlap is refused with an IllegalStateException naming the model, the
 * call refused and the call (and thread) in the way, before it has changed anything. The writer's own thread may call anything (callbacks in fit), and
 * a thread whose own reads are the only ones in flight may change the model (a predict's callback): one thread cannot tear.
 * <p>
 * The state is one word: the writer bit and the count of reader calls in flight, so a reader costs two atomic adds and
 * no lock; each thread counts its own readers in flight (a ThreadLocal the call fetches anyway for its stop flags), so
 * that a writer whose only readers in flight are its own thread's (a predict's callback) may run. The writer's thread
 * and call are kept beside the word for the message.
 */
final class CallGuard {
    private static final long WRITER = 1L << 62;
    /** close() ran while other threads' readers were in flight: new calls are refused, the last reader out frees. */
    private static final long CLOSING = 1L << 61;
    /** The deferred close has run (set by the one reader that took it from CLOSING). */
    private static final long CLOSED = 1L << 60;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CallGuard.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Trainer model;
    @SuppressWarnings("unused")   // through STATE
    private volatile long state;
    /** The thread holding the writer bit (set after the bit, cleared before it) and its call; only the writer writes them. */
    private volatile Thread writer;
    private volatile String writerCall;
    private int writerDepth;   // the writer thread's own
    /** What a deferred close runs once the readers in flight have returned; written by the closer that set CLOSING, before its own leave(). */
    private volatile Runnable onDrained;
    /** Per thread: its reader calls in flight on this model, and the model's stop flags (Trainer), fetched together. */
    private final ThreadLocal<Mine> mine = ThreadLocal.withInitial(Mine::new);

    /**
     * One thread's part of the guard, and Keras' stop_evaluating and stop_predicting ([evaluating, predicting]) per
     * thread: the hooks run on the thread of their call, so a callback's stop ends only that call, and a call on another
     * thread neither reads nor clears it.
     */
    static final class Mine {
        final boolean[] stops = new boolean[2];
        /** This thread's reader calls in flight (a callback's predict inside a predict: 2). */
        int reading;
    }

    CallGuard(Trainer model) { this.model = model; }

    /** This thread's part (its stop flags and its readers in flight). */
    Mine mine() { return mine.get(); }

    /** Enters a reader call {@code what} ("predict"); refused while another thread's writer runs. Paired with one {@link #exitRead}. */
    private void enterRead(Mine me, String what) {
        long s = (long) STATE.getAndAdd(this, 1L);
        if ((s & (CLOSING | CLOSED)) != 0) {
            ModelClosedException closed = closed(what);
            if (leave()) freeAfter(closed);
            throw closed;
        }
        if ((s & WRITER) != 0 && writer != Thread.currentThread()) {
            STATE.getAndAdd(this, -1L);
            throw refused(what, describeWriter());
        }
        me.reading++;
    }

    /** One reader out; true when it was the last one out of a closing model and is to run the deferred close (exactly one thread: the CAS). */
    private boolean leave() {
        long s = (long) STATE.getAndAdd(this, -1L);
        return s == (CLOSING | 1L) && STATE.compareAndSet(this, CLOSING, CLOSED);
    }

    /**
     * Runs the deferred close on the thread of the last reader out, whose call ended in {@code failed} (null: it
     * returned). The close is another thread's: a failure of it is added to the call's own failure as suppressed, or
     * logged when the call returned, never put in place of the call's result or exception.
     */
    private void freeAfter(Throwable failed) {
        try {
            onDrained.run();
        } catch (RuntimeException | Error e) {
            if (failed != null) {
                if (e != failed) failed.addSuppressed(e);   // one preallocated Error thrown by both: self-suppression would throw
            } else {
                System.getLogger(Model.class.getName()).log(System.Logger.Level.WARNING, model.name()
                        + ": the close deferred until this thread's call returned failed to free the model", e);
            }
        }
    }

    private ModelClosedException closed(String what) {
        return new ModelClosedException(model.name() + "." + what + ": the model is closed");
    }

    private void exitRead(Mine me, Throwable failed) {
        me.reading--;
        if (leave()) freeAfter(failed);
    }

    /**
     * Enters a writer call {@code what} ("fit"): re-entrant on the writer's thread (a callback's setWeights in fit), and
     * allowed when every reader in flight is this thread's own (a predict's callback that sets weights: one thread,
     * nothing to tear); refused while another thread's writer or reader runs. Each successful enter is paired with one
     * {@link #exitWrite} in a finally.
     */
    private void enterWrite(String what) {
        Thread me = Thread.currentThread();
        if (writer == me) {
            writerDepth++;
            return;
        }
        int own = mine.get().reading;
        for (;;) {
            long s = (long) STATE.getVolatile(this);
            if ((s & (CLOSING | CLOSED)) != 0) throw closed(what);
            if ((s & WRITER) != 0) throw refused(what, describeWriter());
            long others = s - own;   // other threads' readers in flight
            if (others != 0) {
                throw refused(what, others + " " + (others == 1 ? "call" : "calls") + " reading it on another thread (predict /"
                        + " evaluate / getWeights / save)");
            }
            if (STATE.compareAndSet(this, s, s | WRITER)) break;   // else a reader came or went: look again
        }
        writerCall = what;
        writerDepth = 1;
        writer = me;
    }

    private void exitWrite() {
        if (--writerDepth > 0) return;
        writer = null;
        writerCall = null;
        STATE.getAndAdd(this, -WRITER);   // this thread's own readers, if any, stay counted until they exit
    }

    /**
     * close(): {@code free} (which marks the model closed and frees its buffers) runs now when no other thread's call is
     * in flight (or this thread runs the call that changes the model: a callback's close), else once the other threads'
     * readers have returned, on the last one's thread; new calls are refused as closed from here on. Refused only while
     * another thread's call that changes the model runs (a fit: its step would write freed buffers). A second close,
     * while one frees or drains (on another thread), returns at once and does nothing.
     */
    void close(Runnable free) {
        if (writer == Thread.currentThread()) {
            free.run();
            return;
        }
        int own = mine.get().reading;
        for (;;) {
            long s = (long) STATE.getVolatile(this);
            if ((s & (CLOSING | CLOSED)) != 0) return;
            if ((s & WRITER) != 0) throw refused("close", describeWriter());
            if (s == own) {   // no other thread's reader: close now, as a writer
                // CLOSING with WRITER: a second close() meanwhile returns (it is being closed), a reader is refused as closed
                if (!STATE.compareAndSet(this, s, s | WRITER | CLOSING)) continue;
                writerCall = "close";
                writerDepth = 1;
                writer = Thread.currentThread();
                try {
                    free.run();
                } finally {   // let go as exitWrite does, leaving CLOSED: later calls are refused as closed here
                    writer = null;
                    writerCall = null;
                    writerDepth = 0;
                    STATE.getAndAdd(this, CLOSED - WRITER - CLOSING);
                }
                return;
            }
            // Deferred: this closer counts as one more reader until it has published free, so no reader can drain
            // before it; only the closer whose CAS set CLOSING writes onDrained (a racing closer's never replaces it).
            if (STATE.compareAndSet(this, s, (s | CLOSING) + 1L)) {
                onDrained = free;
                if (leave()) free.run();   // the readers may all have returned meanwhile: then it runs here, now
                return;
            }
        }
    }

    /** Model.requireOpen: a call re-checks it once it holds the guard (a close can no longer land after). */
    void requireOpen(String what) { model.requireOpen(what); }

    /** A call's body, which may throw the call's checked exception (an IOException of a file). */
    interface Body<T, E extends Exception> {
        T run() throws E;
    }

    /** Runs {@code body} as call {@code what}: a writer when {@code writes} (it changes the model), else a reader. */
    <T, E extends Exception> T running(String what, boolean writes, Body<T, E> body) throws E {
        Mine me = mine.get();
        if (writes) enterWrite(what);
        else enterRead(me, what);
        Throwable failed = null;
        try {
            return body.run();
        } catch (Throwable e) {
            failed = e;
            throw e;
        } finally {
            if (writes) exitWrite();
            else exitRead(me, failed);
        }
    }

    /** Runs {@code body} as reader call {@code what}. */
    <T, E extends Exception> T reading(String what, Body<T, E> body) throws E { return running(what, false, body); }

    /** Runs {@code body} as writer call {@code what}. */
    <T, E extends Exception> T writing(String what, Body<T, E> body) throws E { return running(what, true, body); }

    private String describeWriter() {
        Thread w = writer;
        String call = writerCall;
        return w == null ? "a call changing it on another thread (starting or ending now)"
                : call + " on thread '" + w.getName() + "', which changes it";
    }

    private IllegalStateException refused(String what, String inTheWay) {
        return new IllegalStateException(model.name() + "." + what + ": refused, the model is in use by " + inTheWay
                + "; a call that changes a model (fit, trainOnBatch, compile, setWeights, loadWeights, resetStates, close,"
                + " trainable, build, Sequential add / pop, a predict given SwapEMAWeights, of a stateful model or in"
                + " training mode with BatchNormalization) runs alone, predict / evaluate / getWeights / save may run together."
                + " Nothing was changed" + (what.equals("close") ? " (the model stays open and keeps its memory until a close"
                + " succeeds)" : "") + ": call again once it returns, or serve from a second model (see the GUIDE's Threads)");
    }

}
