package dev.jrnn.losses;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Loss;
import dev.jrnn.backend.LossArgs;
import dev.jrnn.backend.Span;
import dev.jrnn.layers.Add;
import dev.jrnn.layers.Average;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Multiply;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.check.TorchGolden;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every loss of {@link Losses} on the CPU backend against PyTorch float64 golden values
 * ({@code src/test/resources/torchref/make_golden.py}: keras/src/losses/losses.py over Keras' torch backend): the
 * value reduced as Keras' sum_over_batch_size (plain, with sample weights, and over a masked [B, T, C] sequence, where
 * Keras turns the mask into weights mask * total / valid, so the mean runs over the valid steps) and its gradient
 * with respect to the predictions, within {@link TorchGolden#TOL}.
 */
class TorchLossReferenceTest {

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    static List<TorchGolden.Case> cases() { return TorchGolden.load("losses"); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(TorchGolden.Case c) {
        Loss kind = Losses.of(Losses.kerasName(Loss.valueOf(c.string("loss", null))));
        TorchGolden.Array pred = c.get("pred"), target = c.get("target");
        int cols = pred.shape()[pred.shape().length - 1], rows = pred.v().length / cols;
        double[] w = c.has("sample_weight") ? c.get("sample_weight").v() : null;
        if (c.has("mask")) w = kerasMaskWeights(c.get("mask").v());
        Backend be = Jrnn.backend();
        List<Buf> bufs = new ArrayList<>();
        try {
            Buf p = upload(be, pred.v(), bufs), t = upload(be, target.v(), bufs), g = be.alloc(pred.v().length), out = be.alloc(1);
            bufs.add(g);
            bufs.add(out);
            Span ws = w == null ? null : Span.of(upload(be, w, bufs));
            be.lossAsync(new LossArgs(kind, rows, cols, Span.of(p), Span.of(t), ws, Span.of(g), Span.of(out)));
            float[] value = new float[1], grad = new float[pred.v().length];
            be.download(out, 0, value, 0, 1);
            be.download(g, 0, grad, 0, grad.length);
            TorchGolden.compare(c + ": loss", new double[] {value[0]}, c.get("loss").v(), TorchGolden.TOL);
            TorchGolden.compare(c + ": d loss / d prediction", TorchGolden.toDouble(Tensor.of(grad)), c.get("grad").v(),
                    TorchGolden.TOL);
        } finally {
            for (Buf b : bufs) b.close();
        }
    }

    static List<TorchGolden.Case> models() {
        return TorchGolden.load("models").stream().filter(c -> !c.meta().containsKey("kind")).toList();
    }

    static List<TorchGolden.Case> merges() {
        return TorchGolden.load("models").stream().filter(c -> "merge".equals(c.meta().get("kind"))).toList();
    }

    /**
     * Two inputs (Embedding(mask_zero), Masking or unmasked) merged by Add, Average, Multiply or Concatenate, then
     * LSTM(returnSequences) -> Dense, mse: the merged mask (Keras 3.4 and later: the OR of the input masks, none when
     * an input has none; Concatenate takes all ones for an input without one) decides which steps the LSTM skips and
     * the loss averages over; Multiply takes an input's masked steps as 1.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("merges")
    @SuppressWarnings("unchecked")
    void mergedMasksMatchPyTorch(TorchGolden.Case c) {
        List<Input> inputs = new ArrayList<>();
        List<Node> branches = new ArrayList<>();
        List<Tensor> xs = new ArrayList<>();
        List<String> kinds = (List<String>) c.meta().get("inputs");
        for (int i = 0; i < kinds.size(); i++) {
            TorchGolden.Array x = c.get("x" + i);
            Input in = Input.shape(java.util.Arrays.copyOfRange(x.shape(), 1, x.shape().length));
            inputs.add(in);
            xs.add(x.tensor());
            branches.add(switch (kinds.get(i)) {
                case "ids" -> new Embedding(6, 3).maskZero(true).apply(in);
                case "masking" -> new Masking(0.0).apply(in);
                default -> in;
            });
        }
        Node merged = switch (c.string("merge", "?")) {
            case "add" -> new Add().apply(branches);
            case "average" -> new Average().apply(branches);
            case "multiply" -> new Multiply().apply(branches);
            case "concatenate" -> new Concatenate().apply(branches);
            default -> throw new IllegalArgumentException(c + ": merge " + c.meta().get("merge"));
        };
        try (Model m = new Model(inputs, new Dense(2).apply(new LSTM(3).returnSequences(true).apply(merged)))) {
            double lr = 1000;
            m.compile(new SGD(lr), Loss.MSE);
            checkLossAndGradients(c, m, xs, List.of(c.get("y").tensor()), lr, null, List.of());
        }
    }

    /**
     * Whole Sequential models through compile / evaluate / fit: Masking or Embedding(mask_zero) masks reach a
     * sequence loss (Keras: the mean over the valid steps) and the metrics (a mean over the valid steps), or stop at a
     * last-step layer; or jrnn's lengths stand for the Masking layer over post-padding. The gradient of every weight is
     * read from one plain SGD step: (before - after) / lr, with lr
     * large so the float32 update keeps the gradient's digits.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    @SuppressWarnings("unchecked")
    void modelLossMetricsAndGradientsMatchPyTorch(TorchGolden.Case c) {
        Sequential m = new Sequential();
        TorchGolden.Array x = c.get("x"), y = c.get("y");
        boolean first = true;
        int[] lengths = null;
        if (c.meta().get("lengths") instanceof List<?> l) lengths = l.stream().mapToInt(v -> ((Number) v).intValue()).toArray();
        for (Map<String, Object> spec : (List<Map<String, Object>>) c.meta().get("layers")) {
            if (lengths != null && spec.get("type").equals("masking")) continue;   // lengths mask instead
            Layer l = switch ((String) spec.get("type")) {
                case "masking" -> new Masking(0.0);
                case "embedding" -> new Embedding(((Number) spec.get("input_dim")).intValue(),
                        ((Number) spec.get("output_dim")).intValue()).maskZero(true);
                case "dense" -> new Dense(((Number) spec.get("units")).intValue()).activation((String) spec.getOrDefault("activation", "linear"));
                case "bidirectional" -> new Bidirectional(TorchGolden.recurrent(spec)).mergeMode((String) spec.get("merge_mode"));
                default -> TorchGolden.recurrent(spec);
            };
            if (first) l.inputShape(java.util.Arrays.copyOfRange(x.shape(), 1, x.shape().length));
            first = false;
            m.add(l);
        }
        double lr = 1000;
        List<String> metrics = (List<String>) c.meta().get("metrics");
        m.compile(new SGD(lr), Losses.of(Losses.kerasName(Loss.valueOf(c.string("loss", null)))), metrics.toArray());
        if (Loss.valueOf(c.string("loss", null)).sparse()) {   // Keras squeezes class indices given as [B, T, 1]
            int[] s = y.shape(), s1 = java.util.Arrays.copyOf(s, s.length + 1);
            s1[s.length] = 1;
            m.setWeights(weights(c));
            double got = m.evaluateAll(List.of(x.tensor()), List.of(y.tensor().reshape(s1)), 32, lengths).get("loss");
            TorchGolden.compare(c + ": evaluate's loss with the class indices as " + Tensor.shapeString(s1), new double[] {got},
                    c.get("loss").v(), TorchGolden.TOL);
        }
        checkLossAndGradients(c, m, List.of(x.tensor()), List.of(y.tensor()), lr, lengths, metrics);
        m.close();
    }

    /**
     * A functional encoder-decoder: Masking -> LSTM(returnState) whose h and c are the initial states of a decoder
     * LSTM(returnSequences) -> Dense, two inputs, mse. The loss reaches the encoder's weights through the states only.
     */
    @Test
    void encoderDecoderStatesMatchPyTorch() {
        TorchGolden.Case c = TorchGolden.load("models").stream().filter(k -> "encoder_decoder".equals(k.meta().get("kind")))
                .findFirst().orElseThrow();
        TorchGolden.Array x = c.get("x"), xd = c.get("x_decoder");
        Input enc = Input.shape(x.shape()[1], x.shape()[2]), dec = Input.shape(xd.shape()[1], xd.shape()[2]);
        Node states = new LSTM(3).returnState(true).apply(new Masking(0.0).apply(enc));
        Node seq = new LSTM(3).returnSequences(true).apply(dec, states.get(1), states.get(2));
        try (Model m = new Model(List.of(enc, dec), new Dense(2).apply(seq))) {
            double lr = 1000;
            m.compile(new SGD(lr), Loss.MSE);
            checkLossAndGradients(c, m, List.of(x.tensor(), xd.tensor()), List.of(c.get("y").tensor()), lr, null, List.of());
        }
    }

    /**
     * Bidirectional(GRU, mergeMode none, returnSequences) after Masking, each sequence into its own Dense and mse: both
     * carry the mask, and the model's loss is the sum of the two (Keras).
     */
    @Test
    void bidirectionalNoneTwoOutputsMatchPyTorch() {
        TorchGolden.Case c = TorchGolden.load("models").stream().filter(k -> "two_outputs".equals(k.meta().get("kind")))
                .findFirst().orElseThrow();
        TorchGolden.Array x = c.get("x");
        Input in = Input.shape(x.shape()[1], x.shape()[2]);
        Node both = new Bidirectional(new GRU(3).returnSequences(true)).mergeMode("none").apply(new Masking(0.0).apply(in));
        try (Model m = new Model(in, List.of(new Dense(2).apply(both.get(0)), new Dense(2).apply(both.get(1))))) {
            double lr = 1000;
            m.compile(new SGD(lr), Loss.MSE);
            checkLossAndGradients(c, m, List.of(x.tensor()), List.of(c.get("y0").tensor(), c.get("y1").tensor()), lr, null,
                    List.of());
        }
    }

    /**
     * evaluate's loss and metrics (in one batch, and in batches of 2 where the file has that loss), then one epoch of
     * one batch with plain SGD: (before - after) / lr against every d loss / d weight. {@code lengths} nullable.
     */
    private static void checkLossAndGradients(TorchGolden.Case c, Model m, List<Tensor> xs, List<Tensor> ys, double lr,
                                              int[] lengths, List<String> metrics) {
        List<Tensor> w0 = weights(c);
        m.setWeights(w0);
        Map<String, Double> ev = m.evaluateAll(xs, ys, 32, lengths);
        TorchGolden.compare(c + ": evaluate's loss", new double[] {ev.get("loss")}, c.get("loss").v(), TorchGolden.TOL);
        for (String k : metrics) {
            TorchGolden.compare(c + ": evaluate's " + k, new double[] {ev.get(k)}, c.get("metric_" + k).v(), TorchGolden.TOL);
        }
        if (c.has("loss_batches_of_2")) {
            ev = m.evaluateAll(xs, ys, 2, lengths);
            TorchGolden.compare(c + ": evaluate's loss in batches of 2 (a mean of the batch losses weighted by batch size)",
                    new double[] {ev.get("loss")}, c.get("loss_batches_of_2").v(), TorchGolden.TOL);
            for (String k : metrics) {   // a metric's mean runs over the epoch's valid steps, whatever the batches
                TorchGolden.compare(c + ": evaluate's " + k + " in batches of 2", new double[] {ev.get(k)},
                        c.get("metric_" + k).v(), TorchGolden.TOL);
            }
        }
        m.fit(xs, ys, new FitOptions().epochs(1).batchSize(xs.get(0).dim(0)).shuffle(false).verbose(0).lengths(lengths));
        compareSgdStep(c, w0, m.getWeights(), lr);
    }

    private static List<Tensor> weights(TorchGolden.Case c) {
        List<Tensor> w = new ArrayList<>();
        for (int i = 0; i < c.integer("weights"); i++) w.add(c.get("w" + i).tensor());
        return w;
    }

    private static void compareSgdStep(TorchGolden.Case c, List<Tensor> w0, List<Tensor> w1, double lr) {
        for (int i = 0; i < w0.size(); i++) {
            float[] a = w0.get(i).data(), b = w1.get(i).data();
            double[] g = new double[a.length];
            for (int k = 0; k < g.length; k++) g[k] = ((double) a[k] - b[k]) / lr;
            TorchGolden.compare(c + ": d loss / d weight " + i, g, c.get("dw" + i).v(), TorchGolden.TOL);
        }
    }


    /** Keras' apply_mask for sum_over_batch_size: weight total / valid on the valid steps, 0 on the masked ones. */
    private static double[] kerasMaskWeights(double[] mask) {
        double valid = 0;
        for (double m : mask) valid += m;
        double[] w = new double[mask.length];
        for (int i = 0; i < w.length; i++) w[i] = mask[i] != 0 && valid > 0 ? mask.length / valid : 0;
        return w;
    }

    private static Buf upload(Backend be, double[] v, List<Buf> bufs) {
        float[] f = new float[v.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
        Buf b = be.alloc(f.length);
        bufs.add(b);
        be.upload(f, 0, b, 0, f.length);
        return b;
    }
}
