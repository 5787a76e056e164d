package dev.jrnn.backend;

/**
 * A recorded sequence of backend calls (on CUDA: an instantiated CUDA graph) that {@link #replay()}
 * issues again with exactly the same buffers and scalar arguments, without running any Java code.
 * Made by {@link Backend#capture}. Everything that must change from one replay to the next has to live
 * in device memory (new input data copied into the same buffers before the replay, step counters
 * advanced by the recorded kernels themselves).
 *
 * <pre>{@code
 * GraphCapture g = be.capture(() -> be.axpy(n, 1f, x, 0, y, 0));   // nothing runs yet
 * if (g != null) {
 *     try (g) {
 *         for (int i = 0; i < 10; i++) g.replay();              // y += x, ten times
 *     }
 * }
 * }</pre>
 */
public interface GraphCapture extends AutoCloseable {
    /** Queues the recorded work once more (asynchronously, ordered with the backend's other work). */
    void replay();

    /** Frees the graph; the buffers it used return to their owners' control. Closing twice is harmless. */
    @Override
    void close();
}
