package dev.jrnn.model;

import dev.jrnn.io.FileFaults;

import java.io.InterruptedIOException;

/**
 * How fit, evaluate and predict stop when their thread is interrupted ({@code Thread.interrupt}, {@code Future.cancel(true)},
 * an executor's {@code shutdownNow}): the exception they throw, and which failures an interrupt caused (a callback's save
 * refused with an {@link InterruptedIOException}, a channel the interrupt closed, a wait it ended), so a caller telling a
 * cancellation from a failure sees the one exception whatever the interrupt landed in.
 */
final class Interruption {
    private Interruption() {}

    /** Whether the calling thread's interrupt flag is set (not cleared). */
    static boolean flagSet() { return Thread.currentThread().isInterrupted(); }

    /**
     * The exception {@link #stop} makes: an {@link IllegalStateException} as documented, of its own class only so that a
     * stop inside another (fit's validation pass) is told from a real failure without reading its message.
     */
    static final class Stopped extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        /**
         * The failure named at the message's end (one the interrupt did not cause), else null: a stop wrapping this one
         * (fit's, around its validation pass's) names it too, though this stop, its cause, is the interrupt's doing.
         */
        final Throwable failure;

        Stopped(String message, Throwable cause, Throwable failure) {
            super(message, cause);
            this.failure = failure;
        }
    }

    /** Whether {@code e} or one of its causes is this thread's interrupt's doing ({@link FileFaults#interruptCaused}), or a {@link Stopped}. */
    static boolean caused(Throwable e) {
        return FileFaults.interruptCaused(e, t -> t instanceof Stopped);
    }

    /**
     * The exception {@code model}'s {@code op} ("fit", "predict", "evaluate") throws when interrupted {@code where} ("before
     * batch 4 of epoch 1/5"), {@code cause} the failure the interrupt made (null: the flag was seen first); {@code state} says
     * what the model holds. The flag is set again where the cause's catcher cleared it: a cancellation is not swallowed.
     * A cause the interrupt did not make (a callback's own I/O failure while the flag happened to be set) is named at the
     * message's end: it may be the real reason the call stopped, and would otherwise read as a plain cancel; a {@link Stopped}
     * cause (fit's validation pass stopped) hands on the failure it named.
     */
    static IllegalStateException stop(String model, String op, String where, String state, Throwable cause) {
        if (!flagSet()) Thread.currentThread().interrupt();
        Throwable failure = cause instanceof Stopped st ? st.failure : cause != null && !caused(cause) ? cause : null;
        return new Stopped(model + "." + op + ": interrupted (Thread.interrupt) " + where + "; " + state
                + ". The thread's interrupt flag stays set: clear it (Thread.interrupted()) before saving on this thread"
                + (failure == null ? "" : ". It also failed there, maybe for another reason than the interrupt: " + failure), cause, failure);
    }
}
