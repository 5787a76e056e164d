package dev.jrnn.bench.dl4j;

import dev.jrnn.bench.BenchData;
import dev.jrnn.bench.LstmPeer;
import dev.jrnn.bench.Shapes;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Deeplearning4j's LSTM as the CPU peer: {@code LastTimeStep(LSTM(nIn=I, nOut=H))} followed by a
 * parameter-free {@code LossLayer} (identity, MSE), Adam, float32 — the same network and the same
 * 4H(I+H+1) parameters as jrnn's LSTM with an MSE loss on its last output.
 *
 * <p>DL4J packs gates as [block input (tanh), forget, output, input] ("ifog" in its sources, block
 * input first); {@link #setKerasWeights} permutes Keras' [i, f, c, o] into that order.
 *
 * <pre>{@code
 * LstmPeer p = new Dl4jLstm();
 * p.setup(new Shapes(32, 50, 128, 128), BenchData.random(s, 4, 1), 42);
 * p.trainStep(0);
 * }</pre>
 */
public final class Dl4jLstm implements LstmPeer {
    /** Same hyper-parameters as jrnn's Adam in the benchmark (Keras defaults). */
    public static final double LR = 1e-3, BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-7;

    private Shapes s;
    private MultiLayerNetwork net;
    private DataSet[] batches;

    @Override
    public String describe() {
        return "Deeplearning4j " + version() + " (nd4j-native " + Nd4j.getBackend().getClass().getSimpleName() + ", "
                + Nd4j.dataType() + ", threads: OpenMP " + NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads()
                + ", BLAS " + Nd4j.factory().blas().getMaxThreads() + ")";
    }

    /** The deeplearning4j-nn version from its jar's Maven metadata. */
    private static String version() {
        try (var in = MultiLayerNetwork.class.getResourceAsStream(
                "/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties")) {
            if (in == null) return "(version unknown)";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "(version unknown)");
        } catch (java.io.IOException e) {
            return "(version unknown)";
        }
    }

    @Override
    public void setup(Shapes shapes, BenchData data, long seed) {
        this.s = shapes;
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(LR, BETA1, BETA2, EPS))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new LastTimeStep(new LSTM.Builder()
                        .nIn(shapes.in()).nOut(shapes.units())
                        .activation(Activation.TANH).gateActivationFunction(Activation.SIGMOID)
                        .forgetGateBiasInit(1.0)
                        .build()))
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
        batches = new DataSet[data.count()];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = new DataSet(toNcw(data.x(i), shapes),
                    Nd4j.create(data.y(i), new long[] {shapes.batch(), shapes.units()}, 'c'));
        }
    }

    /** [B, T, I] batch-first (Keras) to DL4J's default recurrent layout [B, I, T]. */
    private static INDArray toNcw(float[] x, Shapes s) {
        int b = s.batch(), t = s.steps(), in = s.in();
        float[] out = new float[x.length];
        for (int bi = 0; bi < b; bi++)
            for (int ti = 0; ti < t; ti++)
                for (int k = 0; k < in; k++)
                    out[(bi * in + k) * t + ti] = x[(bi * t + ti) * in + k];
        return Nd4j.create(out, new long[] {b, in, t}, 'c');
    }

    /** Limits libnd4j's OpenMP ops, its own thread pools and OpenBLAS to {@code n} threads. */
    @Override
    public void threads(int n) {
        if (n <= 0) throw new IllegalArgumentException("Dl4jLstm.threads: expected a positive count, got " + n);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        Nd4j.factory().blas().setMaxThreads(n);
    }

    @Override
    public long paramCount() {
        return net.numParams();
    }

    @Override
    public void setKerasWeights(float[] kernel, float[] recurrentKernel, float[] bias) {
        int h = s.units();
        INDArray w = net.getParam("0_W");   // [I, 4H]
        INDArray rw = net.getParam("0_RW"); // [H, 4H]
        INDArray b = net.getParam("0_b");   // [1, 4H]
        copyPermuted(kernel, s.in(), h, w);
        copyPermuted(recurrentKernel, h, h, rw);
        copyPermuted(bias, 1, h, b);
    }

    // DL4J block k takes Keras gate KERAS_OF[k]: block input <- c, forget <- f, output <- o, input <- i.
    private static final int[] KERAS_OF = {2, 1, 3, 0};

    private static void copyPermuted(float[] keras, int rows, int h, INDArray dst) {
        if (keras.length != rows * 4 * h) {
            throw new IllegalArgumentException("Dl4jLstm.setKerasWeights: expected " + rows + "x" + (4 * h)
                    + " floats, got " + keras.length);
        }
        float[] out = new float[keras.length];
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < 4; k++)
                System.arraycopy(keras, r * 4 * h + KERAS_OF[k] * h, out, r * 4 * h + k * h, h);
        dst.assign(Nd4j.create(out, dst.shape(), 'c'));
    }

    @Override
    public double loss(int i) {
        return net.score(batches[Math.floorMod(i, batches.length)], false);
    }

    @Override
    public float forward(int i) {
        INDArray out = net.output(batches[Math.floorMod(i, batches.length)].getFeatures(), false);
        return out.getFloat(0);
    }

    @Override
    public void trainStep(int i) {
        net.fit(batches[Math.floorMod(i, batches.length)]);
    }

    @Override
    public void close() {
        net = null;
        batches = null;
    }
}
