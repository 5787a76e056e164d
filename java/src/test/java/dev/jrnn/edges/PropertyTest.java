package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.io.keras.ModelReference;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.EarlyStopping;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoublePredicate;
import java.util.function.DoubleUnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based edges, 10,000+ seeded random cases: random settings, random layer stacks and shapes,
 * random mutations of saved weights. Each case either fails with a clear IllegalArgumentException /
 * IllegalStateException / IOException naming what was wrong and leaves the model as it was, or gives a
 * finite result equal to the float64 reference ({@link ModelReference}). A failing case prints its seed; {@code -Djrnn.edges.case=SEED} replays that case alone,
 * {@code -Djrnn.edges.seed=N} draws another set of cases.
 */
class PropertyTest {
    static final int SETTER_CASES = 7_000;
    static final int STACK_CASES = 2_000;
    static final int FILE_CASES = 1_500;
    static final int MODEL_FILE_CASES = 400;

    /** One random case. */
    interface Case {
        void run(SplittableRandom rng) throws Exception;
    }

    /** Runs {@code n} cases (or only the one named by -Djrnn.edges.case), naming the seed of a failure. */
    static void forAll(String property, int n, Case body) {
        String one = System.getProperty("jrnn.edges.case");
        if (one != null) {
            run(property, Long.parseLong(one), body);
            return;
        }
        SplittableRandom seeds = new SplittableRandom(Long.getLong("jrnn.edges.seed", 20261204L));
        for (int i = 0; i < n; i++) run(property, seeds.nextLong(), body);
    }

    private static void run(String property, long seed, Case body) {
        try {
            body.run(new SplittableRandom(seed));
        } catch (Throwable t) {
            String msg = property + ": case with seed " + seed + " failed (replay: -Djrnn.edges.case=" + seed + "): " + t;
            System.err.println(msg);
            throw new AssertionError(msg, t);
        }
    }

    /** Doubles that break things: edges of [0, 1), of float32, of finiteness, and ordinary values. */
    static double oddDouble(SplittableRandom r) {
        double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1.0, -1.0,
            Math.nextDown(1.0), 0.999999999, 0.99999999, 1 - 1e-7, 1e-50, -1e-50, 1e-46, Double.MIN_VALUE, 1e39, -1e39,
            Float.MAX_VALUE, Math.nextUp((double) Float.MAX_VALUE), Float.MIN_VALUE, Double.MAX_VALUE, 0.5, 1e-7, 1e-3};
        return switch (r.nextInt(4)) {
            case 0, 1 -> odd[r.nextInt(odd.length)];
            case 2 -> r.nextDouble(-2, 2);
            default -> Math.scalb(r.nextDouble(), r.nextInt(-1100, 1100)) * (r.nextBoolean() ? 1 : -1);
        };
    }

    static int oddInt(SplittableRandom r) {
        int[] odd = {0, -1, 1, 2, Integer.MAX_VALUE, Integer.MIN_VALUE, 65536, 1 << 30};
        return r.nextBoolean() ? odd[r.nextInt(odd.length)] : r.nextInt(-3, 50);
    }

    /** A setter: applies a value, returns what was stored; {@code ok} says which stored values are valid. */
    record Setter(String name, String param, DoubleUnaryOperator apply, DoublePredicate ok) {}

    // a learning rate of 0 is taken, as Keras takes it (a warm-up's first epoch)
    static final List<Setter> SETTERS = List.of(
            new Setter("Adam.beta1", "beta1", v -> new Adam().beta1(v).beta1(), s -> s >= 0 && s < 1),
            new Setter("Adam.beta2", "beta2", v -> new Adam().beta2(v).beta2(), s -> s >= 0 && s < 1),
            new Setter("Adam.epsilon", "epsilon", v -> new Adam().epsilon(v).epsilon(), s -> s > 0 && Double.isFinite(s)),
            new Setter("Adam(lr)", "learning rate", v -> new Adam(v).learningRate(), s -> s >= 0 && Double.isFinite(s)),
            new Setter("SGD(lr)", "learning rate", v -> new SGD(v).learningRate(), s -> s >= 0 && Double.isFinite(s)),
            new Setter("SGD.momentum", "momentum", v -> new SGD().momentum(v).momentum(), s -> s >= 0 && s <= 1),
            new Setter("learningRate", "learning rate", v -> new SGD().learningRate((float) v).learningRate(), s -> s >= 0 && Double.isFinite(s)),
            new Setter("clipnorm", "clipnorm", v -> new Adam().clipnorm((float) v).clipnorm(), s -> s >= 0 && Double.isFinite(s)),
            new Setter("clipvalue", "clipvalue", v -> new Adam().clipvalue((float) v).clipvalue(), s -> s >= 0 && Double.isFinite(s)),
            new Setter("globalClipnorm", "globalClipnorm", v -> new Adam().globalClipnorm((float) v).globalClipnorm(), s -> s >= 0 && Double.isFinite(s)),
            new Setter("Dropout", "rate", v -> (float) new Dropout(v).rate(), s -> s >= 0 && s <= 1),
            new Setter("Masking", "maskValue", v -> (float) new Masking(v).maskValue(), Double::isFinite),
            new Setter("EarlyStopping.minDelta", "minDelta", v -> { new EarlyStopping().minDelta(v); return v; }, s -> s >= 0 && Double.isFinite(s)),
            new Setter("EarlyStopping.baseline", "baseline", v -> { new EarlyStopping().baseline(v); return v; }, s -> !Double.isNaN(s)),
            new Setter("FitOptions.validationSplit", "validationSplit", v -> { new FitOptions().validationSplit(v); return v; }, s -> s >= 0 && s < 1),
            new Setter("FitOptions.epochs", "epochs", v -> new FitOptions().epochs((int) v).epochs(), s -> s >= 0),
            new Setter("FitOptions.batchSize", "batchSize", v -> new FitOptions().batchSize((int) v).batchSize(), s -> s >= 1),
            new Setter("EarlyStopping.patience", "patience", v -> { new EarlyStopping().patience((int) v); return (int) v; }, s -> s >= 0),
            new Setter("Optimizer.iterations", "iterations", v -> new SGD().iterations((long) v).iterations(), s -> s >= 0),
            new Setter("Dense(units)", "units", v -> new Dense((int) v).units(), s -> s >= 1),
            new Setter("LSTM(units)", "units", v -> new LSTM((int) v).units(), s -> s >= 1),
            new Setter("inputLength", "inputLength", v -> { new LSTM(2).inputLength((int) v); return (int) v; }, s -> s >= 1));

    static boolean integral(Setter s) {
        return s.name.contains("epochs") || s.name.contains("batchSize") || s.name.contains("patience")
                || s.name.contains("units") || s.name.contains("inputLength") || s.name.contains("iterations");
    }

    /** The other half of the property below: a setter that refused every value would pass it. */
    @Test
    void everySetterStoresAValidValue() {
        double[] candidates = {0.5, 3, 0.01, 1, 0};
        for (Setter s : SETTERS) {
            double v = java.util.Arrays.stream(candidates).filter(c -> s.ok.test(c) && (!integral(s) || c == Math.rint(c)))
                    .findFirst().orElseThrow(() -> new AssertionError(s.name + ": no candidate value is valid"));
            double stored = org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> s.apply.applyAsDouble(v), s.name + "(" + v + ")");
            org.junit.jupiter.api.Assertions.assertEquals(v, stored, 1e-6 * Math.max(1, Math.abs(v)), s.name + " stores " + v);
        }
    }

    @Test
    void settersStoreOnlyValidValuesOrNameTheParameter() {
        forAll("setters", SETTER_CASES, r -> {
            Setter s = SETTERS.get(r.nextInt(SETTERS.size()));
            boolean integral = integral(s);
            double v = integral ? (r.nextInt(4) == 0 ? r.nextLong() : oddInt(r)) : oddDouble(r);
            double stored;
            try {
                stored = s.apply.applyAsDouble(v);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage() != null && e.getMessage().contains(s.param), s.name + "(" + v + "): " + e.getMessage());
                return;
            }
            assertTrue(s.ok.test(stored), s.name + "(" + v + ") stored " + stored);
        });
    }

    /** A random layer; sizes are usually small and valid, sometimes zero, negative or huge. */
    static Layer randomLayer(SplittableRandom r, boolean first, int[] inShape) {
        int units = r.nextInt(20) == 0 ? oddInt(r) : r.nextInt(1, 5);
        boolean seq = r.nextBoolean();
        Layer l = switch (r.nextInt(8)) {
            case 0 -> new Dense(units);
            case 1 -> new SimpleRNN(units).returnSequences(seq);
            case 2 -> new LSTM(units).returnSequences(seq);
            case 3 -> new GRU(units).returnSequences(seq);
            case 4 -> new Dropout(r.nextDouble(0, 0.9));
            case 5 -> new Masking(r.nextInt(3) - 1);
            case 6 -> new TimeDistributed(new Dense(units));
            default -> new Bidirectional(new LSTM(units).returnSequences(seq)).mergeMode(
                    List.of("concat", "sum", "mul", "ave").get(r.nextInt(4)));
        };
        if (first) l.inputShape(inShape);
        return l;
    }

    @Test
    void randomStacksAndShapesGiveAFiniteResultOrNameTheProblem() {
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        int[] compared = {0};
        forAll("stacks", STACK_CASES, r -> {
            int t = r.nextInt(1, 5), f = r.nextInt(1, 4), b = r.nextInt(1, 4);
            int[] declared = r.nextInt(15) == 0 ? new int[] {t} : new int[] {t, f};
            List<Layer> layers = new ArrayList<>();
            int depth = r.nextInt(1, 4);
            List<String> names = new ArrayList<>();
            try {
                for (int i = 0; i < depth; i++) layers.add(randomLayer(r, i == 0, declared));
            } catch (IllegalArgumentException e) {   // a bad size refused at construction
                assertTrue(e.getMessage().contains("units") || e.getMessage().contains("too large"), e.getMessage());
                return;
            }
            for (Layer l : layers) {
                names.add(l.name());
                if (l instanceof TimeDistributed td) names.add(td.layer().name());
                if (l instanceof Bidirectional bi) names.addAll(List.of(bi.forwardLayer().name(), bi.backwardLayer().name()));
            }
            int[] xs = r.nextInt(10) == 0 ? new int[] {b, t + r.nextInt(1, 3), f + r.nextInt(0, 2)} : new int[] {b, t, f};
            float[] data = new float[(int) Tensor.size(xs)];
            for (int i = 0; i < data.length; i++) data[i] = r.nextInt(4) == 0 ? 0f : (float) r.nextGaussian();
            Tensor x = Tensor.of(data, xs);
            long live = be.liveBuffers();
            Sequential m;
            try {
                m = new Sequential(layers.toArray(new Layer[0]));
            } catch (IllegalArgumentException | IllegalStateException e) {
                assertNamed(e, names, "sequential");
                assertEquals(live, be.liveBuffers(), "buffers left by a failed construction (" + e.getMessage() + ")");
                return;
            }
            try (m) {
                Tensor y = m.predict(x);
                assertEquals(b, y.dim(0), "batch of the output");
                assertTrue(y.isFinite(), "non-finite output " + y);
                // the model takes x one rank off in a trailing 1, as Keras' functional models do: the reference gets it at its rank
                int[] in = m.inputs().get(0).shape();
                Tensor xm = x.rank() == in.length + 2 && x.dim(-1) == 1 ? x.reshape(java.util.Arrays.copyOf(x.shape(), in.length + 1)) : x;
                double[] want = ModelReference.predict(m, xm).get(0);
                float[] got = y.data();
                assertEquals(want.length, got.length, "output size against the float64 reference");
                for (int i = 0; i < got.length; i++) {
                    assertEquals(want[i], got[i], 2e-5 + 1e-4 * Math.abs(want[i]),
                            "output " + i + " against the float64 reference of " + layers);
                }
                compared[0]++;
            } catch (IllegalArgumentException | IllegalStateException e) {
                names.add(m.name());
                assertNamed(e, names, "sequential");
            }
            assertEquals(live, be.liveBuffers(), "buffers left after closing the model");
        });
        if (System.getProperty("jrnn.edges.case") == null) {
            assertTrue(compared[0] > STACK_CASES / 2, "only " + compared[0] + " of " + STACK_CASES + " stacks gave a result to compare");
        }
    }

    private static void assertNamed(RuntimeException e, List<String> names, String alt) {
        String msg = e.getMessage();
        assertTrue(msg != null && !msg.isBlank(), "empty message: " + e);
        boolean named = msg.contains(alt);
        for (String n : names) named |= msg.contains(n);
        assertTrue(named, "the message names no layer or model " + names + ": " + msg);
    }

    /**
     * Random mutations of a saved weights file, header or data: the load fails with an IOException naming
     * the file, or an IllegalArgumentException from loadWeights, and the model keeps its weights; or it
     * loads and the model then holds exactly what the file holds.
     */
    @Test
    void mutatedWeightFilesAreRefusedOrLoadExactly(@TempDir Path dir) throws IOException {
        Jrnn.setBackend(CpuBackend.create());
        Jrnn.setSeed(3);
        Jrnn.clearSession();
        Sequential a0 = new Sequential(new LSTM(3).inputShape(2, 2), new Dense(1));
        Jrnn.clearSession();   // the same layer names in both, so b's file fits a
        try (Sequential a = a0; Sequential b = new Sequential(new LSTM(3).inputShape(2, 2), new Dense(1))) {
            Path src = dir.resolve("b.safetensors");
            b.saveWeights(src);
            byte[] good = Files.readAllBytes(src);
            int headerEnd = (int) (8 + ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
            List<Tensor> wa = a.getWeights();
            Path f = dir.resolve("m.safetensors");
            int[] outcomes = new int[3];
            forAll("weight files", FILE_CASES, r -> {
                byte[] m = r.nextBoolean() ? FuzzedWeightsTest.mutate(good, headerEnd, r) : mutateAnywhere(good, r);
                Files.write(f, m);
                try {
                    a.loadWeights(f);
                    outcomes[2]++;
                    List<Tensor> held = a.getWeights();
                    List<Tensor> file = new ArrayList<>(SafeTensors.read(f).values());
                    for (Tensor w : held) assertTrue(w.isFinite(), "a non-finite weight was loaded");
                    for (Tensor w : held) assertTrue(file.stream().anyMatch(
                            t -> java.util.Arrays.equals(Fixture.bits(t), Fixture.bits(w))), "a loaded weight is not from the file");
                    a.setWeights(wa);
                } catch (IOException e) {
                    outcomes[0]++;
                    assertTrue(e.getMessage() != null && e.getMessage().contains(f.toString()), "IOException without the file: " + e);
                    unchanged(wa, a.getWeights());
                } catch (IllegalArgumentException e) {
                    outcomes[1]++;
                    assertTrue(e.getMessage() != null && e.getMessage().contains("loadWeights"), e.getMessage());
                    unchanged(wa, a.getWeights());
                }
            });
            if (System.getProperty("jrnn.edges.case") == null) {
                assertTrue(outcomes[0] > FILE_CASES / 4 && outcomes[2] > 0, "io / arg / loaded: " + java.util.Arrays.toString(outcomes));
            }
        }
    }

    /**
     * Random mutations inside the members of a whole-model file ({@code model.save}): config.json, metadata.json or
     * model.weights.h5 bytes changed, cut or extended, then zipped again (a flipped bit in the compressed stream
     * only tests the zip's CRC). Models.load gives an IOException naming the file, or a model whose weights are
     * finite; loadWeights from it leaves the target model as it was unless it loads.
     */
    @Test
    void mutatedModelFilesAreRefusedOrLoad(@TempDir Path dir) throws IOException {
        Jrnn.setBackend(CpuBackend.create());
        Jrnn.setSeed(5);
        Path good = dir.resolve("good.keras");
        Map<String, byte[]> members = new LinkedHashMap<>();
        try (Sequential m = new Sequential(new LSTM(3).inputShape(4, 2), new Dropout(0.2), new Dense(1))) {
            m.compile("adam", "mse");
            m.fit(Tensor.full(0.5f, 6, 4, 2), Tensor.full(0.1f, 6, 1), new FitOptions().epochs(1).batchSize(3).verbose(0).seed(1));
            m.save(good);
        }
        try (ZipFile z = new ZipFile(good.toFile())) {
            for (Enumeration<? extends ZipEntry> es = z.entries(); es.hasMoreElements(); ) {
                ZipEntry e = es.nextElement();
                members.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        List<String> names = new ArrayList<>(members.keySet());
        Path f = dir.resolve("m.keras");
        int[] outcomes = new int[2];
        try (Model target = Models.load(good)) {
            List<Tensor> before = target.getWeights();
            forAll("model files", MODEL_FILE_CASES, r -> {
                String victim = names.get(r.nextInt(names.size()));
                try (OutputStream os = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(os)) {
                    for (String n : names) {
                        byte[] b = members.get(n);
                        if (n.equals(victim)) b = mutateMember(b, r);
                        z.putNextEntry(new ZipEntry(n));
                        z.write(b);
                        z.closeEntry();
                    }
                }
                try (Model m = Models.load(f)) {
                    outcomes[1]++;
                    for (Tensor w : m.getWeights()) assertTrue(w.isFinite(), "a non-finite weight was loaded from " + victim);
                } catch (IOException e) {
                    outcomes[0]++;
                    assertTrue(e.getMessage() != null && e.getMessage().contains(f.getFileName().toString()), "IOException without the file: " + e);
                }
                try {
                    target.loadWeights(f);
                    for (Tensor w : target.getWeights()) assertTrue(w.isFinite(), "loadWeights took a non-finite weight");
                    target.setWeights(before);
                } catch (IOException | IllegalArgumentException e) {
                    assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "no message: " + e);
                    unchanged(before, target.getWeights());
                }
            });
        }
        if (System.getProperty("jrnn.edges.case") == null) {
            assertTrue(outcomes[0] > MODEL_FILE_CASES / 4 && outcomes[1] > 0, "refused / loaded: " + java.util.Arrays.toString(outcomes));
        }
    }

    /** A member's bytes with bits flipped, bytes set, or the tail cut or extended. */
    static byte[] mutateMember(byte[] b, SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> mutateAnywhere(b, r);
            case 1 -> {
                byte[] m = b.clone();
                for (int k = 1 + r.nextInt(4); k > 0; k--) m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                yield m;
            }
            case 2 -> java.util.Arrays.copyOf(b, r.nextInt(b.length));
            default -> java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
        };
    }

    private static void unchanged(List<Tensor> want, List<Tensor> got) {
        for (int i = 0; i < want.size(); i++) assertArrayEquals(Fixture.bits(want.get(i)), Fixture.bits(got.get(i)), "weight " + i + " changed");
    }

    /** Flips bits anywhere, data included: a float may become NaN or Inf. */
    static byte[] mutateAnywhere(byte[] good, SplittableRandom r) {
        byte[] m = good.clone();
        for (int k = 1 + r.nextInt(3); k > 0; k--) m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
        return m;
    }
}
