package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Attention;
import dev.jrnn.layers.Identity;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GlobalMaxPooling1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Masking;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * model.save / saveWeights to an .h5 name (tf.keras 2's legacy layout): a layer or an activation tf.keras 2 lacks is
 * refused, naming the layer and pointing to .keras; no file is written and an existing one is left as it was.
 */
class LegacyH5BadInputTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private final List<RefusalCases.Case> cases = new ArrayList<>();

    private void bad(String name, Supplier<Layer> layer, boolean weightsToo, String... words) {
        cases.add(new RefusalCases.Case(name, () -> {
            try (Sequential m = new Sequential(new LSTM(2).inputShape(3, 2).returnSequences(true), layer.get())) {
                Path f = dir.resolve("m.h5");
                byte[] before = {1, 2, 3};
                Files.write(f, before);
                try {
                    m.save(f);
                } finally {
                    assertArrayEquals(before, Files.readAllBytes(f), name + ": the old file is unchanged");
                }
            }
        }, List.of(words)));
        if (weightsToo) {
            cases.add(new RefusalCases.Case(name + " (weights)", () -> {
                try (Sequential m = new Sequential(new LSTM(2).inputShape(3, 2).returnSequences(true), layer.get())) {
                    Path f = dir.resolve("w.h5");
                    try {
                        m.saveWeights(f);
                    } finally {
                        assertFalse(Files.exists(f), name + ": no weights file");
                    }
                }
            }, List.of(words)));
        }
    }

    private void functional(String name, Supplier<Node> out, Input q, Input v, String... words) {
        cases.add(new RefusalCases.Case(name, () -> {
            try (Model m = new Model(v == null ? List.of(q) : List.of(q, v), List.of(out.get()))) {
                Path f = dir.resolve("f.h5");
                try {
                    m.save(f);
                } finally {
                    assertFalse(Files.exists(f), name + ": no file");
                }
            }
        }, List.of(words)));
    }

    @Test
    void layersAndActivationsTfKeras2LacksAreRefusedNamingTheLayer() {
        bad("an Identity", () -> new Identity().name("same"), true, "layer 'same' (Identity)", "tf.keras 2's .h5 layout", "save it as .keras");
        Input q = Input.shape(3, 4).name("q"), v = Input.shape(5, 4).name("v");
        functional("a causal Attention", () -> new Attention().useCausalMask(true).name("att").apply(q, v), q, v,
                "layer 'att' (Attention): call argument use_causal_mask=true", "tf.keras 2's .h5 layout", "save it as .keras");
        bad("Keras 3's hard_sigmoid", () -> new Dense(2).activation("hard_sigmoid").name("out"), false,
                "layer 'out' (Dense)", "activation 'hard_sigmoid'", "0.2x + 1/2", "hard_sigmoid_keras2", "save it as .keras");
        bad("a Keras 3 activation", () -> new LSTM(2).activation("hard_silu").name("rnn"), false,
                "layer 'rnn' (LSTM)", "activation 'hard_silu'", "no such activation");
        bad("an RNN over a cell", () -> new LSTM(2).asKerasRnn(true).name("cell_rnn"), true, "layer 'cell_rnn' (RNN)", "as an RNN over a cell");
        cases.add(new RefusalCases.Case("a mask into a Conv1D", () -> {
            try (Sequential m = new Sequential(new Embedding(6, 3).maskZero(true).inputShape(5), new Conv1D(2, 2).name("conv"))) {
                Path f = dir.resolve("conv.h5");
                try {
                    m.save(f);
                } finally {
                    assertFalse(Files.exists(f), "no file");
                }
            }
        }, List.of("layer 'conv' (Conv1D) is passed a mask", "tf.keras 2 refuses to load such a model", "save it as .keras")));
        Input xs = Input.shape(5, 2).name("xs");
        functional("a mask through a recurrent layer into a GlobalMaxPooling1D",
                () -> new GlobalMaxPooling1D().name("gmp").apply(new LSTM(2).returnSequences(true).apply(new Masking().apply(xs))), xs, null,
                "layer 'gmp' (GlobalMaxPooling1D) is passed a mask", "save it as .keras");
        cases.add(new RefusalCases.Case("a ModelCheckpoint to .h5 of a model the writer refuses", () -> {
            try (Sequential m = new Sequential(new LSTM(2).inputShape(3, 2), new Identity().name("same"), new Dense(1))) {
                m.compile("sgd", "mse");
                List<dev.jrnn.tensor.Tensor> before = m.getWeights();
                dev.jrnn.tensor.Tensor x = dev.jrnn.tensor.Tensor.full(0.5f, 4, 3, 2), y = dev.jrnn.tensor.Tensor.full(1f, 4, 1);
                try {
                    m.fit(x, y, new dev.jrnn.model.FitOptions().epochs(1).verbose(0)
                            .callbacks(new dev.jrnn.model.ModelCheckpoint(dir.resolve("ck-{epoch}.h5").toString())));
                } finally {
                    assertFalse(Files.exists(dir.resolve("ck-1.h5")), "no checkpoint");
                    List<dev.jrnn.tensor.Tensor> after = m.getWeights();
                    for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), after.get(i).data(), "not trained");
                }
            }
        }, List.of("ModelCheckpoint(", "ck-{epoch}.h5", "layer 'same' (Identity)", "save it as .keras")));
        cases.add(new RefusalCases.Case("gradient accumulation", () -> {
            try (Sequential m = new Sequential(new LSTM(2).inputShape(3, 2), new Dense(1))) {
                m.compile(new dev.jrnn.optim.Adam(0.01).gradientAccumulationSteps(2), "mse");
                Path f = dir.resolve("acc.h5");
                try {
                    m.save(f);
                } finally {
                    assertFalse(Files.exists(f), "no file");
                }
            }
        }, List.of("gradient_accumulation_steps", "tf.keras 2's .h5 layout", "save it as .keras")));
        cases.add(new RefusalCases.Case("a model_config past jhdf's attribute limit", () -> {
            List<Layer> many = new ArrayList<>();
            for (int i = 0; i < 200; i++) many.add(new Dense(1));
            try (Sequential m = new Sequential(many.toArray(Layer[]::new))) {
                m.build(2);
                Path f = dir.resolve("big.h5");
                try {
                    m.save(f);
                } finally {
                    assertFalse(Files.exists(f), "no file");
                }
            }
        }, List.of("its model_config is", "bytes, more than the 59000 an .h5 attribute written here can hold", "save it as .keras")));
        cases.add(new RefusalCases.Case("a recurrent call Keras 3 runs unmasked on a masked input", () -> {
            Input tok = Input.shape(5).name("tok"), h = Input.shape(2).name("h"), c = Input.shape(2).name("c");
            Node e = new Embedding(6, 3).maskZero(true).apply(tok);
            try (Model m = new Model(List.of(tok, h, c), List.of(new LSTM(2).name("dec").applyUnmasked(List.of(e, h, c))))) {
                Path f = dir.resolve("unmasked.h5");
                try {
                    m.save(f);
                } finally {
                    assertFalse(Files.exists(f), "no file");
                }
            }
        }, List.of("layer 'dec' (LSTM) runs its call with initial states unmasked", "tf.keras 2 masks such a call", "save it as .keras")));
        cases.add(new RefusalCases.Case("the .h5 writer given no list of optimizer variables", () -> {
            try (Sequential m = new Sequential(new LSTM(2).inputShape(3, 2), new Dense(1))) {
                m.compile("adam", "mse");
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                try {
                    dev.jrnn.io.keras.KerasLegacyExport.write(m, out, List.of(), null);
                } finally {
                    assertArrayEquals(new byte[0], out.toByteArray(), "nothing written");
                }
            }
        }, List.of("KerasLegacyExport.write", "optimizerVars should be lists", "optimizerVars null")));
        RefusalCases.assertDistinct(cases.stream().map(RefusalCases.Case::name).toList());
        for (RefusalCases.Case c : cases) RefusalCases.assertRefused(c);
    }
}
