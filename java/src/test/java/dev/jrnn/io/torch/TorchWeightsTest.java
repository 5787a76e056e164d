package dev.jrnn.io.torch;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.LayerNormalization;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch state_dicts into jrnn models: real torch.save files (torch 1.13) and safetensors files in
 * safetensors.torch's layout, written by {@code src/test/resources/dev/jrnn/io/torch/generator/make_torch_files.py};
 * each model's predictions against torch's own outputs (computed in float64 from the saved weights) on the same input.
 */
class TorchWeightsTest {
    private static Map<?, ?> expected;

    @BeforeAll
    static void setUp() throws Exception {
        Jrnn.setBackend("cpu");
        expected = (Map<?, ?>) Json.parse(Files.readString(resource("expected.json")));
    }

    static Path resource(String name) {
        try {
            return Path.of(TorchWeightsTest.class.getResource("/dev/jrnn/io/torch/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException(name, e);
        }
    }

    private static Tensor tensor(String model, String what) {
        return tensor((Map<?, ?>) expected.get(model), what);
    }

    private static Tensor tensor(Map<?, ?> m, String what) {
        List<?> v = (List<?>) m.get(what), s = (List<?>) m.get(what + "_shape");
        float[] d = new float[v.size()];
        for (int i = 0; i < d.length; i++) d[i] = ((Number) v.get(i)).floatValue();
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = ((Number) s.get(i)).intValue();
        return Tensor.wrap(d, shape);
    }

    /** {@code m}'s predictions on the model's input match torch's outputs within 1e-5. */
    private static void assertPredicts(Model m, String model) {
        assertPredicts(m, (Map<?, ?>) expected.get(model), model);
    }

    /** As above for a golden of its own ({@code x}, {@code y} and their shapes). */
    private static void assertPredicts(Model m, Map<?, ?> golden, String model) {
        Tensor want = tensor(golden, "y"), got = m.predict(tensor(golden, "x"));
        assertArrayEquals(want.shape(), got.shape(), model + ": shape");
        for (int i = 0; i < want.data().length; i++) assertEquals(want.data()[i], got.data()[i], 1e-5, model + ": element " + i);
    }

    /** nn.LSTM(3, 4, num_layers=2, bidirectional=True) + nn.Linear(8, 2) on every step. */
    static Model bilstm(boolean timeDistributed) {
        Input x = Input.shape(-1, 3);   // any number of steps, as the guide's example
        Node h = new Bidirectional(new LSTM(4).returnSequences(true)).name("bi0").apply(x);
        h = new Bidirectional(new LSTM(4).returnSequences(true)).name("bi1").apply(h);
        Node y = (timeDistributed ? new TimeDistributed(new Dense(2)) : new Dense(2)).name("head").apply(h);
        return new Model(x, y);
    }

    static final Map<String, String> BILSTM = Map.of("bi0", "lstm.l0", "bi1", "lstm.l1", "head", "fc");

    @ParameterizedTest
    @ValueSource(strings = {"bilstm.pt", "bilstm.safetensors"})
    void twoLayerBidirectionalLstmAndLinear(String file) throws Exception {
        try (Model m = bilstm(false)) {
            Models.loadTorchWeights(m, resource(file), BILSTM);
            assertPredicts(m, "bilstm");
        }
        try (Model m = bilstm(true)) {   // the same Linear as a TimeDistributed Dense
            Models.loadTorchWeights(m, resource(file), BILSTM);
            assertPredicts(m, "bilstm");
        }
    }

    static Model gru() {
        return new Sequential(new GRU(5).name("gru").inputShape(4, 3), new Dense(1).name("fc"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gru.pt", "gru.safetensors", "gru_views.pt", "gru_keep_vars.pt", "gru_protocol4.pt"})
    void gruAndLinearByLayerName(String file) throws Exception {
        // gru_views.pt holds the same values as non-contiguous views: transposed strides, storage offsets, a shared storage;
        // gru_keep_vars.pt is state_dict(keep_vars=True), its tensors Parameters (torch._utils._rebuild_parameter)
        try (Model m = gru()) {
            Models.loadTorchWeights(m, resource(file));
            assertPredicts(m, "gru");
        }
    }

    /**
     * nn.ModuleDict({'enc/lstm': nn.LSTM(3, 4), 'enc/fc': nn.Linear(4, 2)}): torch module names may hold '/', and the
     * state_dict's keys carry it ('enc/lstm.weight_ih_l0'); such a file was refused as a Keras / jrnn weights file
     * (every key held '/'). It loads under a mapping and predicts torch's outputs
     * ({@code generator/make_slash_module.py} wrote slash_module.pt and .json).
     */
    @Test
    void aModuleNameWithASlashLoads() throws Exception {
        Map<?, ?> golden = (Map<?, ?>) Json.parse(Files.readString(resource("slash_module.json")));
        assertEquals(List.of("enc/lstm.weight_ih_l0", "enc/lstm.weight_hh_l0", "enc/lstm.bias_ih_l0", "enc/lstm.bias_hh_l0",
                "enc/fc.weight", "enc/fc.bias"), golden.get("keys"));
        try (Model m = new Sequential(new LSTM(4).name("lstm").inputShape(5, 3), new Dense(2).name("fc"))) {
            Models.loadTorchWeights(m, resource("slash_module.pt"), Map.of("lstm", "enc/lstm", "fc", "enc/fc"));
            assertPredicts(m, golden, "slash_module");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn_relu.pt", "rnn_relu.safetensors"})
    void reluRnnInFloat64(String file) throws Exception {
        try (Model m = new Sequential(new SimpleRNN(4).activation("relu").returnSequences(true).name("cell").inputShape(6, 3))) {
            Models.loadTorchWeights(m, resource(file), Map.of("cell", "rnn"));
            assertPredicts(m, "rnn_relu");
        }
    }

    static Model embLstm() {
        return new Sequential(new Embedding(10, 4).name("emb").inputShape(4),
                new LSTM(3).useBias(false).returnSequences(true).name("lstm"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"emb_lstm.pt", "emb_lstm.safetensors", "emb_lstm_f16.pt", "emb_lstm_bf16.pt"})
    void embeddingAndLstmWithoutBias(String file) throws Exception {
        try (Model m = embLstm()) {
            Models.loadTorchWeights(m, resource(file));
            assertPredicts(m, file.replace(".pt", "").replace(".safetensors", ""));
        }
    }

    /**
     * nn.LSTMCell, nn.GRUCell and nn.RNNCell state_dicts (keys cell.weight_ih, no _l0 suffix) into the layer that loops
     * the same step: its outputs are torch's cell looped over the steps from zero states (they were refused with a hint
     * about a bias that loads the rest of the module; outside tester torch6).
     */
    @ParameterizedTest
    @ValueSource(strings = {"lstm_cell", "gru_cell", "rnn_cell"})
    void torchCellsLoadAsTheirOneLayerModule(String name) throws Exception {
        dev.jrnn.layers.RecurrentLayer r = switch (name) {
            case "lstm_cell" -> new LSTM(4);
            case "gru_cell" -> new GRU(4);
            default -> new SimpleRNN(4);
        };
        try (Model m = new Sequential(r.returnSequences(true).name("cell").inputShape(5, 3))) {
            Models.loadTorchWeights(m, resource(name + ".pt"));
            assertPredicts(m, name);
        }
        Input x = Input.shape(5, 3);
        try (Model bi = new Model(x, new Bidirectional(new LSTM(4)).name("cell").apply(x))) {
            List<Tensor> before = bi.getWeights();
            var e = assertThrows(IllegalArgumentException.class, () -> Models.loadTorchWeights(bi, resource("lstm_cell.pt")));
            assertTrue(e.getMessage().contains("the torch module is a cell (nn.LSTMCell, nn.GRUCell or nn.RNNCell: cell.weight_ih, no _l0 "
                    + "suffix), which runs one direction"), e.getMessage());
            assertEquals(before, bi.getWeights());
        }
    }

    static Model convNorm() {
        return new Sequential(new Conv1D(4, 3).name("conv").inputShape(6, 3), new BatchNormalization().epsilon(1e-5).name("bn"),
                new LayerNormalization().epsilon(1e-5).name("norm"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv_norm.pt", "conv_norm.safetensors"})
    void conv1dBatchNormAndLayerNorm(String file) throws Exception {
        try (Model m = convNorm()) {
            Models.loadTorchWeights(m, resource(file));
            assertPredicts(m, "conv_norm");
        }
    }

    @Test
    void fineTuningStepsAsTorchDoes() throws Exception {
        // one SGD step (lr 0.5, MSE over the batch) from gru.pt: torch's weights after it are gru_step.pt
        try (Model m = gru(); Model torchStep = gru()) {
            Models.loadTorchWeights(m, resource("gru.pt"));
            m.compile(new SGD(0.5), "mse");
            m.fit(tensor("gru_step", "x"), tensor("gru_step", "y"), new FitOptions().epochs(1).batchSize(3).verbose(0));
            Models.loadTorchWeights(torchStep, resource("gru_step.pt"));
            List<Tensor> want = torchStep.getWeights(), got = m.getWeights();
            for (int w = 0; w < want.size(); w++) {
                for (int i = 0; i < want.get(w).data().length; i++) {
                    assertEquals(want.get(w).data()[i], got.get(w).data()[i], 1e-5, m.weightNames().get(w) + " element " + i);
                }
            }
        }
    }

    /**
     * nn.LSTM and nn.RNN hold two biases, bias_ih and bias_hh, which jrnn loads as their sum, Keras' one bias. One SGD
     * step moves each of torch's by the sum's gradient, so torch's sum moves twice what the one Keras weight moves:
     * kernels, recurrent kernels and the Linear land on torch's weights after the step, the bias on half torch's step
     * of the sum (outside tester torch2; the GUIDE had said fine-tuning lands on torch's weights). bilstm_step.pt and
     * rnn_relu_step.pt are torch's weights after one SGD(0.5) step on the mean squared error from bilstm.pt, rnn_relu.pt.
     */
    @Test
    void fineTuningStepsKernelsAsTorchAndTheSummedBiasAsOneKerasWeight() throws Exception {
        java.util.function.Supplier<Model> rnn = () -> new Sequential(new SimpleRNN(4).activation("relu").returnSequences(true).name("cell")
                .inputShape(6, 3));
        assertStepsAsTorch(() -> bilstm(false), BILSTM, "bilstm", 4);   // 2 layers, 2 directions
        assertStepsAsTorch(rnn, Map.of("cell", "rnn"), "rnn_relu", 1);
    }

    /** One SGD(0.5) step from {@code name}.pt against torch's {@code name}_step.pt; the model has {@code biases} summed biases. */
    private static void assertStepsAsTorch(java.util.function.Supplier<Model> make, Map<String, String> mapping, String name, int biases)
            throws Exception {
        try (Model m = make.get(); Model before = make.get(); Model torchStep = make.get()) {
            Models.loadTorchWeights(m, resource(name + ".pt"), mapping);
            Models.loadTorchWeights(before, resource(name + ".pt"), mapping);
            Models.loadTorchWeights(torchStep, resource(name + "_step.pt"), mapping);
            m.compile(new SGD(0.5), "mse");
            Tensor x = tensor(name + "_step", "x"), y = tensor(name + "_step", "y");
            m.fit(x, y, new FitOptions().epochs(1).batchSize(x.shape()[0]).verbose(0));
            List<Tensor> want = torchStep.getWeights(), got = m.getWeights(), start = before.getWeights();
            int halved = 0;
            for (int w = 0; w < want.size(); w++) {
                String weight = m.weightNames().get(w);
                boolean summed = weight.endsWith("/bias") && !weight.startsWith("head") && !weight.startsWith("fc");
                float[] g = got.get(w).data(), t = want.get(w).data(), b = start.get(w).data();
                double moved = 0;
                for (int i = 0; i < t.length; i++) {
                    double expect = summed ? b[i] + (t[i] - b[i]) / 2 : t[i];   // the sum's step halved
                    assertEquals(expect, g[i], 1e-5, name + ": " + weight + " element " + i);
                    moved = Math.max(moved, Math.abs(t[i] - b[i]));
                }
                if (summed) {
                    assertTrue(moved > 1e-3, name + ": " + weight + " moves in torch's step (so half of it is not torch's)");
                    halved++;
                }
            }
            assertEquals(biases, halved, name + ": the summed biases");
        }
    }

    /** The warnings TorchWeights logs while {@code run} runs (kept from the console). */
    private static List<String> warnings(dev.jrnn.LogCapture.Action run) throws Exception {
        return dev.jrnn.LogCapture.warnings(TorchWeights.class.getName(), run);
    }

    @Test
    void normalizationLeftAtKerasEpsilonIsWarnedAbout() throws Exception {
        List<String> w = warnings(() -> {
            try (Model m = new Sequential(new Conv1D(4, 3).name("conv").inputShape(6, 3), new BatchNormalization().name("bn"),
                    new LayerNormalization().name("norm"))) {
                Models.loadTorchWeights(m, resource("conv_norm.pt"));
                Tensor want = tensor("conv_norm", "y"), got = m.predict(tensor("conv_norm", "x"));
                double worst = 0;
                for (int i = 0; i < want.data().length; i++) worst = Math.max(worst, Math.abs(want.data()[i] - got.data()[i]));
                assertTrue(worst > 1e-3, "eps 1e-3 against torch's 1e-5 differs by " + worst);
            }
        });
        assertEquals(2, w.size(), w.toString());
        assertTrue(w.get(0).contains("jrnn layer 'bn' (BatchNormalization) keeps Keras' epsilon 0.001; nn.BatchNorm1d defaults to eps=1e-5"), w.get(0));
        assertTrue(w.get(1).contains("jrnn layer 'norm' (LayerNormalization) keeps Keras' epsilon 0.001; nn.LayerNorm"), w.get(1));
        assertEquals(List.of(), warnings(() -> {
            try (Model m = convNorm()) {
                Models.loadTorchWeights(m, resource("conv_norm.pt"));
            }
        }));
    }

    @Test
    void notStrictLeavesUnmatchedLayersAndKeys() throws Exception {
        try (Model m = new Sequential(new GRU(5).name("gru").inputShape(4, 3), new Dense(1).name("other"))) {
            List<Tensor> before = m.getWeights();
            Models.loadTorchWeights(m, resource("gru.pt"), Map.of(), false);   // fc.* unread, "other" kept
            List<Tensor> after = m.getWeights();
            assertEquals(before.get(3), after.get(3));
            assertEquals(before.get(4), after.get(4));
            try (Model full = gru()) {
                Models.loadTorchWeights(full, resource("gru.pt"));
                for (int i = 0; i < 3; i++) assertEquals(full.getWeights().get(i), after.get(i), "gru weight " + i);
            }
        }
    }

    /**
     * torch.compile saves '_orig_mod.gru.*', DataParallel / DDP 'module.gru.*': a layer by its own name finds its module under
     * them as under its own name (strict refused the file, strict=false loaded nothing and said nothing).
     */
    @ParameterizedTest
    @ValueSource(strings = {"_orig_mod.", "module.", "module._orig_mod."})
    void aWrappedModelsPrefixIsFound(String wrap, @TempDir Path tmp) throws Exception {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        SafeTensors.read(resource("gru.safetensors")).forEach((k, v) -> sd.put(wrap + k, v));
        Path f = tmp.resolve("wrapped.safetensors");
        SafeTensors.write(f, sd, Map.of());
        try (Model plain = gru(); Model m = gru()) {
            Models.loadTorchWeights(plain, resource("gru.safetensors"));
            Models.loadTorchWeights(m, f);
            assertEquals(plain.getWeights(), m.getWeights());
        }
    }

    /** Not strict, a state_dict in which no layer finds a module is refused naming both sides (it loaded nothing silently). */
    @Test
    void notStrictRefusesAStateDictNothingLoadsFrom() throws Exception {
        try (Model m = new Sequential(new GRU(5).name("enc").inputShape(4, 3), new Dense(1).name("head"))) {
            List<Tensor> before = m.getWeights();
            var e = assertThrows(IllegalArgumentException.class, () -> Models.loadTorchWeights(m, resource("gru.pt"), Map.of(), false));
            assertTrue(e.getMessage().contains("no jrnn layer [enc, head] finds a torch module") && e.getMessage().contains("[gru, fc]"),
                    e.getMessage());
            assertEquals(before, m.getWeights());
        }
    }

    /** weight_norm's weight_g / weight_v (or parametrizations.weight.original0/1): refused, saying how to save the plain weight. */
    @Test
    void weightNormedStateDictsAreRefusedSayingHowToSaveThem(@TempDir Path tmp) throws Exception {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        SafeTensors.read(resource("gru.safetensors")).forEach((k, v) -> sd.put(k.equals("fc.weight") ? "fc.weight_v" : k, v));
        sd.put("fc.weight_g", Tensor.full(1f, 1, 1));
        Path f = tmp.resolve("normed.safetensors");
        SafeTensors.write(f, sd, Map.of());
        try (Model m = gru()) {
            var e = assertThrows(IllegalArgumentException.class, () -> Models.loadTorchWeights(m, f));
            assertTrue(e.getMessage().contains("missing torch key 'fc.weight'") && e.getMessage().contains("weight-normed")
                    && e.getMessage().contains("remove_parametrizations"), e.getMessage());
        }
    }

    /** Not strict, a module that is loaded still fits in full: nn.Linear's bias is not dropped for a Dense without one. */
    @Test
    void notStrictStillRefusesAModuleThatLoadsInPart() throws Exception {
        try (Model m = new Sequential(new GRU(5).name("gru").inputShape(4, 3), new Dense(1).useBias(false).name("fc"))) {
            List<Tensor> before = m.getWeights();
            var e = assertThrows(IllegalArgumentException.class, () -> Models.loadTorchWeights(m, resource("gru.pt"), Map.of(), false));
            assertTrue(e.getMessage().contains("torch keys [fc.bias] of module 'fc' are not read by jrnn layer 'fc' (Dense)"), e.getMessage());
            assertEquals(before, m.getWeights());
        }
    }

    @Test
    void theRootModuleOfABareRecurrentStateDict(@TempDir Path tmp) throws Exception {
        // torch.save(nn.GRU(3, 5).state_dict()): keys without a prefix ("weight_ih_l0"), the module "" or its layer "l0"
        Map<String, Tensor> bare = new LinkedHashMap<>();
        SafeTensors.read(resource("gru.safetensors")).forEach((k, v) -> {
            if (k.startsWith("gru.")) bare.put(k.substring(4), v);
        });
        Path f = tmp.resolve("bare.safetensors");
        SafeTensors.write(f, bare, Map.of());
        try (Model full = gru()) {
            Models.loadTorchWeights(full, resource("gru.pt"));
            for (String prefix : new String[] {"", "l0"}) {
                try (Model m = new Sequential(new GRU(5).name("g").inputShape(4, 3))) {
                    Models.loadTorchWeights(m, f, Map.of("g", prefix));
                    for (int i = 0; i < 3; i++) assertEquals(full.getWeights().get(i), m.getWeights().get(i), prefix + ": weight " + i);
                }
            }
        }
    }

    @Test
    void aTensorOverSeveralReadPiecesAndTransposed(@TempDir Path tmp) throws Exception {
        // nn.Linear(600, 600): 1.4 MB of float32, read in 1 MiB pieces; weight[o][i] = o * 600 + i (exact in float32)
        int n = 600;
        float[] w = new float[n * n];
        for (int i = 0; i < w.length; i++) w[i] = i;
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("fc.weight", Tensor.wrap(w, n, n));
        sd.put("fc.bias", Tensor.full(0.25f, n));
        Path f = tmp.resolve("linear.safetensors");
        SafeTensors.write(f, sd, Map.of());
        try (Model m = new Sequential(new Dense(n).name("fc").inputShape(n))) {
            Models.loadTorchWeights(m, f);
            float[] kernel = m.getWeights().get(0).data();   // (in, out): kernel[i][o] = weight[o][i]
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < n; o++) assertEquals(o * n + i, kernel[i * n + o], "kernel[" + i + "][" + o + "]");
            }
            assertEquals(0.25f, m.getWeights().get(1).data()[n - 1]);
        }
    }

    @Test
    void conversionsByHand() {
        // torch (out=2, in=3) -> Keras (in=3, out=2)
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, TorchLayers.transpose(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        // GRU rows r, z, n (one unit) -> z, r, n
        assertArrayEquals(new float[] {2, 1, 3}, TorchLayers.blocks(new float[] {1, 2, 3}, 3, 1, 1, new int[] {1, 0, 2}));
        // Conv1d (out=1, in=2, k=2) [[a0 a1] [b0 b1]] -> (k=2, in=2, out=1) [[a0 b0] [a1 b1]]
        assertArrayEquals(new float[] {1, 3, 2, 4}, TorchLayers.convKernel(new float[] {1, 2, 3, 4}, 1, 2, 2));
    }
}
