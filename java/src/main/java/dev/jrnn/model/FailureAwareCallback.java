package dev.jrnn.model;

import java.util.List;

/**
 * The base of jrnn's callbacks that fit, evaluate and predict tell when they fail (a callback threw, the data's file
 * failed, the thread was interrupted): Keras 3.15.1 has no such hook and calls no end hook ({@code on_train_end},
 * {@code on_test_end}, {@code on_predict_end}) after an exception, so a callback that changed the model or holds a
 * resource would leave it so. The loops call {@link #tell} for their callbacks, in the order they were given (the
 * order Keras' end hooks run in), and know no callback class. Package-private, the hook with it: Keras has no public
 * one, and a user's callback that holds a resource releases it at its next begin hook, as in Keras.
 */
abstract class FailureAwareCallback implements Callback {
    /**
     * The call on {@code model} that this callback was given fails with {@code failure} (what the call then throws);
     * it may have failed before this callback's begin hook ran, or inside a nested call (a fit's validation). A failure
     * here is added to {@code failure}, suppressed.
     */
    abstract void callFailed(Throwable failure, Model model);

    /** Tells each of {@code callbacks} that is one of these, in order; each one's own failure is added to {@code failure}. */
    static void tell(List<Callback> callbacks, Throwable failure, Model model) {
        for (Callback cb : callbacks) {
            if (!(cb instanceof FailureAwareCallback c)) continue;
            try {
                c.callFailed(failure, model);
            } catch (RuntimeException | Error e) {
                if (e != failure) failure.addSuppressed(e);
            }
        }
    }
}
