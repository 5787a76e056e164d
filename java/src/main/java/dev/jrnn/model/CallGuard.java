package dev.jrnn.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One model's guard against a call that changes it overlapping a call that reads it on another thread, which would
 * otherwise give silently torn results (a predict on half-updated weights). Readers (predict, evaluate, call,
 * getWeights, save) may run on several threads at once; a writer (fit, trainOnBatch, compile, setWeights,
 * loadWeights, resetStates, close, a call that swaps EMA weights or advances states) runs alone. It never waits: a call
 * that would overlap is refused with an IllegalStateException naming the model, the call refused and the call (and
 * thread) in the way, before it has changed anything. The writer's own thread may call anything (callbacks in fit).
 * <p>
 * The state is one word: the writer bit and the count of reader calls in flight, so a reader costs two atomic adds and
 * no lock; the writer's thread and call, and the last reader's, are kept beside it only for the message.
 */
final class CallGuard {
    private static final long WRITER = 1L << 62;
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
    /** The last reader's thread and call: racy plain fields, only for a refused writer's message. */
    private Thread lastReader;
    private String lastReaderCall;

    CallGuard(Trainer model) { this.model = model; }

    /**
     * Enters a reader call {@code what} ("predict"); returns normally or refuses while another thread's writer runs.
     * Each successful enter is paired with one {@link #exitRead} in a finally.
     */
    void enterRead(String what) {
        long s = (long) STATE.getAndAdd(this, 1L);
        Thread me = Thread.currentThread();
        if ((s & WRITER) != 0 && writer != me) {
            STATE.getAndAdd(this, -1L);
            throw refused(what, describeWriter());
        }
        lastReader = me;
        lastReaderCall = what;
    }

    void exitRead() { STATE.getAndAdd(this, -1L); }

    /**
     * Enters a writer call {@code what} ("fit"): re-entrant on the writer's thread (a callback's setWeights in fit);
     * refused while another thread's writer runs or any reader is in flight. Each successful enter is paired with one
     * {@link #exitWrite} in a finally.
     */
    void enterWrite(String what) {
        Thread me = Thread.currentThread();
        if (writer == me) {
            writerDepth++;
            return;
        }
        long s = (long) STATE.compareAndExchange(this, 0L, WRITER);
        if (s != 0L) {
            if ((s & WRITER) != 0) throw refused(what, describeWriter());
            long n = s & ~WRITER;
            Thread r = lastReader;
            String call = lastReaderCall;
            throw refused(what, n == 1 && r == me
                    ? "this thread's own " + call + " (a callback of a predict or evaluate may not change the model: change it"
                            + " after that call returns)"
                    : n + " " + (n == 1 ? "call" : "calls") + " reading it (predict / evaluate / getWeights / save"
                            + (call == null ? "" : "; the last: " + call + " on thread '" + name(r) + "'") + ")");
        }
        writerCall = what;
        writerDepth = 1;
        writer = me;
    }

    void exitWrite() {
        if (--writerDepth > 0) return;
        writer = null;
        writerCall = null;
        STATE.getAndAdd(this, -WRITER);
    }

    /** Enters {@code what} as a writer when {@code writes}, else as a reader; returns {@code writes} for {@link #exit}. */
    boolean enter(String what, boolean writes) {
        if (writes) enterWrite(what);
        else enterRead(what);
        return writes;
    }

    void exit(boolean wrote) {
        if (wrote) exitWrite();
        else exitRead();
    }

    /** A call's body, which may throw the call's checked exception (an IOException of a file). */
    interface Body<T, E extends Exception> {
        T run() throws E;
    }

    /** Runs {@code body} as reader call {@code what}. */
    <T, E extends Exception> T reading(String what, Body<T, E> body) throws E {
        enterRead(what);
        try {
            return body.run();
        } finally {
            exitRead();
        }
    }

    /** Runs {@code body} as writer call {@code what}. */
    <T, E extends Exception> T writing(String what, Body<T, E> body) throws E {
        enterWrite(what);
        try {
            return body.run();
        } finally {
            exitWrite();
        }
    }

    private String describeWriter() {
        Thread w = writer;
        String call = writerCall;
        return w == null ? "a call changing it on another thread (starting or ending now)"
                : call + " on thread '" + name(w) + "', which changes it";
    }

    private IllegalStateException refused(String what, String inTheWay) {
        return new IllegalStateException(model.name() + "." + what + ": refused, the model is in use by " + inTheWay
                + "; a call that changes a model (fit, trainOnBatch, compile, setWeights, loadWeights, resetStates, close,"
                + " a predict given SwapEMAWeights or of a stateful model) runs alone, predict / evaluate / getWeights / save"
                + " may run together."
                + " Nothing was changed: call again once it returns, or serve from a second model (see the GUIDE's Threads)");
    }

    private static String name(Thread t) { return t == null ? "?" : t.getName(); }
}
