package dev.jrnn.model;

/**
 * A call on a model that is closed (or being closed: {@link Model#close()} ran, its buffers are freed or will be once
 * the calls in flight return): an IllegalStateException, as before, of its own type so that a service that swaps
 * models can retry a request that took the old model just before the swap, without reading messages. The message names
 * the model and the call ("v1.predict: the model is closed").
 *
 * <pre>{@code
 * AtomicReference<Model> live = ...;   // swapped by live.getAndSet(next).close()
 * for (;;) {
 *     Model m = live.get();
 *     try {
 *         return m.predict(x);
 *     } catch (ModelClosedException e) {
 *         if (live.get() == m) throw e;   // closed, not swapped: a real error
 *     }                                   // swapped under this request: again, on the new model
 * }
 * }</pre>
 */
public class ModelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    ModelClosedException(String message) {
        super(message);
    }
}
