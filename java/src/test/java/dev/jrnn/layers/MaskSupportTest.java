package dev.jrnn.layers;

import dev.jrnn.LogCapture;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every concrete built-in layer passes a mask on, ends it with Keras' warning, or ends it quietly, as Keras 3.15.1's
 * layer of that class does (its {@code supports_masking} and {@code compute_mask}): the table below is the output of
 * {@code src/test/resources/dev/jrnn/layers/make_mask_support_table.py} (JAX). Each layer is called on masked input,
 * so what is checked is what a model sees; a new built-in layer without a row fails {@link #everyBuiltInLayerHasARow}.
 */
class MaskSupportTest {
    enum Outcome { MASK, WARNS, QUIET }

    private static final int N = 3, T = 4, F = 4;

    /** One table row: the layer, the inputs it is called on (each with the mask attached), Keras' outcome. */
    record Row(String name, Supplier<Layer> layer, int inputs, boolean ids, Outcome keras) {
        @Override public String toString() { return name; }
    }

    private static Row one(String name, Supplier<Layer> l, Outcome o) { return new Row(name, l, 1, false, o); }

    private static Row two(String name, Supplier<Layer> l, Outcome o) { return new Row(name, l, 2, false, o); }

    static final List<Row> TABLE = List.of(
            one("Dense", () -> new Dense(3), Outcome.MASK),
            one("Activation", () -> new Activation("tanh"), Outcome.MASK),
            one("ReLU", ReLU::new, Outcome.MASK),
            one("ELU", ELU::new, Outcome.MASK),
            one("LeakyReLU", LeakyReLU::new, Outcome.MASK),
            one("PReLU", PReLU::new, Outcome.MASK),
            one("Softmax", Softmax::new, Outcome.MASK),
            one("Dropout", () -> new Dropout(0.5), Outcome.MASK),
            one("SpatialDropout1D", () -> new SpatialDropout1D(0.5), Outcome.MASK),
            one("GaussianNoise", () -> new GaussianNoise(0.5), Outcome.MASK),
            one("GaussianDropout", () -> new GaussianDropout(0.5), Outcome.MASK),
            one("LayerNormalization", LayerNormalization::new, Outcome.MASK),
            one("BatchNormalization", BatchNormalization::new, Outcome.MASK),
            one("Normalization", () -> new Normalization().meanAndVariance(0.0, 1.0), Outcome.MASK),
            one("Identity", Identity::new, Outcome.MASK),
            one("Masking", () -> new Masking(0.0), Outcome.MASK),
            one("TimeDistributed", () -> new TimeDistributed(new Dense(2)), Outcome.MASK),
            one("LSTM", () -> new LSTM(2).returnSequences(true), Outcome.MASK),
            one("GRU", () -> new GRU(2).returnSequences(true), Outcome.MASK),
            one("SimpleRNN", () -> new SimpleRNN(2).returnSequences(true), Outcome.MASK),
            one("Bidirectional", () -> new Bidirectional(new LSTM(2).returnSequences(true)), Outcome.MASK),
            one("LSTM without return_sequences", () -> new LSTM(2), Outcome.QUIET),
            one("Conv1D", () -> new Conv1D(3, 2).padding("same"), Outcome.WARNS),
            one("MaxPooling1D", () -> new MaxPooling1D(2), Outcome.WARNS),
            one("AveragePooling1D", () -> new AveragePooling1D(2), Outcome.WARNS),
            one("GlobalMaxPooling1D", GlobalMaxPooling1D::new, Outcome.WARNS),
            one("GlobalAveragePooling1D", GlobalAveragePooling1D::new, Outcome.QUIET),
            one("Flatten", Flatten::new, Outcome.WARNS),
            one("Reshape", () -> new Reshape(T, 2, 2), Outcome.WARNS),
            one("Permute", () -> new Permute(2, 1), Outcome.WARNS),
            one("Cropping1D", () -> new Cropping1D(1), Outcome.WARNS),
            one("ZeroPadding1D", () -> new ZeroPadding1D(1), Outcome.WARNS),
            one("UpSampling1D", () -> new UpSampling1D(2), Outcome.WARNS),
            new Row("Embedding", () -> new Embedding(5, 3), 1, true, Outcome.WARNS),
            two("Add", Add::new, Outcome.MASK),
            two("Subtract", Subtract::new, Outcome.MASK),
            two("Multiply", Multiply::new, Outcome.MASK),
            two("Average", Average::new, Outcome.MASK),
            two("Maximum", Maximum::new, Outcome.MASK),
            two("Minimum", Minimum::new, Outcome.MASK),
            two("Concatenate", Concatenate::new, Outcome.MASK),
            two("Dot", () -> new Dot(2), Outcome.QUIET),
            two("Attention", Attention::new, Outcome.MASK),
            two("AdditiveAttention", AdditiveAttention::new, Outcome.MASK),
            two("MultiHeadAttention", () -> new MultiHeadAttention(2, 2), Outcome.MASK),
            new Row("Embedding(mask_zero=True)", () -> new Embedding(5, 3).maskZero(true), 1, true, Outcome.MASK),
            one("GetItem (h[:, -1], an op)", () -> new GetItem(GetItem.all(), GetItem.index(-1)), Outcome.QUIET));

    /** RepeatVector takes (batch, features): Keras' row (Dense over Masking of (4,)) has its own test below. */
    private static final Map<String, String> ELSEWHERE = Map.of("RepeatVector", "repeatVectorEndsAMaskWithTheWarning");

    static Stream<Arguments> rows() { return TABLE.stream().map(Arguments::of); }

    /** The script's Masking(0.0) over (N, T): sample i has its last i steps padded. */
    private static Tensor mask() {
        float[] m = new float[N * T];
        for (int i = 0; i < N; i++) for (int t = 0; t < T; t++) m[i * T + t] = t >= T - i ? 0f : 1f;
        return Tensor.wrap(m, N, T);
    }

    private static Tensor input(boolean ids, int salt) {
        float[] v = new float[ids ? N * T : N * T * F];
        for (int k = 0; k < v.length; k++) v[k] = ids ? 1 + k % 4 : (float) Math.cos(0.3 * k + salt);
        return ids ? Tensor.wrap(v, N, T) : Tensor.wrap(v, N, T, F);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void passesOrEndsTheMaskAsKeras(Row row) throws Exception {
        Layer l = row.layer().get();
        List<Tensor> xs = new ArrayList<>();
        for (int i = 0; i < row.inputs(); i++) xs.add(input(row.ids(), i).withKerasMask(mask()));
        List<Tensor> out = new ArrayList<>();
        List<String> warned = LogCapture.warnings(Layer.class.getName(), () -> out.add(l.callAll(xs).get(0)));
        Outcome got = out.get(0).kerasMask() != null ? Outcome.MASK : warned.isEmpty() ? Outcome.QUIET : Outcome.WARNS;
        assertEquals(row.keras(), got, row.name());
        assertEquals(row.keras() == Outcome.WARNS ? 1 : 0, warned.size(), row.name() + ": " + warned);
        // the flags say the same: Keras' supports_masking, and whether a mask ending here warns
        if (row.keras() == Outcome.MASK) assertEquals(true, l.passesMask(), row.name() + " passesMask");
        if (row.keras() == Outcome.WARNS) assertEquals(false, l.passesMask(), row.name() + " passesMask");
        assertEquals(row.keras() == Outcome.WARNS, l.warnsOnDroppedMask(), row.name() + " warnsOnDroppedMask");
    }

    @Test
    void repeatVectorEndsAMaskWithTheWarning() throws Exception {
        RepeatVector rv = new RepeatVector(2);
        assertEquals(false, rv.passesMask());
        assertEquals(true, rv.warnsOnDroppedMask());
    }

    /** Every public concrete Layer class of this package has a row (or a test of its own), so a new one cannot forget. */
    @Test
    void everyBuiltInLayerHasARow() throws IOException, URISyntaxException {
        Path dir = Path.of(Layer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("dev/jrnn/layers");
        TreeSet<String> concrete = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String f = p.getFileName().toString();
                if (!f.endsWith(".class") || f.contains("$")) continue;
                Class<?> c;
                try {
                    c = Class.forName("dev.jrnn.layers." + f.substring(0, f.length() - 6));
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(e);
                }
                if (Layer.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers()) && !Modifier.isAbstract(c.getModifiers())) {
                    concrete.add(c.getSimpleName());
                }
            }
        }
        TreeSet<String> covered = new TreeSet<>(ELSEWHERE.keySet());
        for (Row r : TABLE) covered.add(r.layer().get().getClass().getSimpleName());
        assertEquals(concrete, covered);
    }
}
