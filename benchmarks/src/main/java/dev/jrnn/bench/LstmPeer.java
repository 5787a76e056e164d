package dev.jrnn.bench;

/**
 * Another library's LSTM train step on the same shapes as jrnn's, for the side-by-side benchmark.
 * Implementations live outside the default build (the DL4J one is compiled with {@code -Pdl4j}) and
 * are loaded by name, so the project's own build never needs the peer's jars.
 *
 * <p>The network is the one {@link Shapes#lstmParams} counts: one LSTM layer (input I, units H,
 * tanh/sigmoid, no peepholes), its last output compared with a target by MSE, Adam on all weights.
 *
 * <pre>{@code
 * LstmPeer peer = LstmPeer.load("dev.jrnn.bench.dl4j.Dl4jLstm");
 * peer.setup(new Shapes(32, 50, 128, 128), data, 42);
 * peer.trainStep(0);
 * }</pre>
 */
public interface LstmPeer extends AutoCloseable {

    /** One line: library, version, numeric type, threads. */
    String describe();

    /** Builds the network for {@code s} and takes its inputs from {@code data} (same arrays as jrnn's). */
    void setup(Shapes s, BenchData data, long seed);

    /** Number of CPU threads the peer may use (its default: all cores). */
    default void threads(int n) {}

    /** Number of trainable scalars of the network (must equal 4H(I+H+1) for equal work). */
    long paramCount();

    /**
     * Replaces the LSTM weights by Keras-layout ones: kernel [I, 4H], recurrent_kernel [H, 4H],
     * bias [4H], gates in Keras order i, f, c, o (the peer permutes them into its own order).
     */
    void setKerasWeights(float[] kernel, float[] recurrentKernel, float[] bias);

    /** MSE of the last output against the target of batch {@code i}, without training. */
    double loss(int i);

    /** One forward pass (inference) on batch {@code i}; returns a value of the output so it is used. */
    float forward(int i);

    /** One train step (forward, loss, backward, Adam update) on batch {@code i}. */
    void trainStep(int i);

    @Override
    default void close() {}

    /** Instantiates the peer class {@code className}, naming the build profile when it is absent. */
    static LstmPeer load(String className) {
        try {
            return (LstmPeer) Class.forName(className).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("peer " + className + " is not on the classpath: build the benchmarks"
                    + " with the profile that adds it (mvn -Pdl4j -pl benchmarks -am package; benchmarks/run.sh does)", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create peer " + className + ": " + e, e);
        }
    }
}
