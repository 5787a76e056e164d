package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link KerasPortability}: a save warns of what Keras 3.15.1 cannot build or run (an outside tester's round trips,
 * session 35: Keras' load_model of a Bidirectional LSTM(3) + LSTM(2) file fails on the Dense kernel, (6, 1) expected and
 * (5, 1) found; a layer named "my head" loads on TensorFlow and fails at the first predict, "is not a valid scope name").
 */
class KerasPortabilityTest {
    private static final String LOG = KerasPortability.class.getName();

    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    @Test
    void aBidirectionalOfUnequalDirectionsWarnsOncePerModelAndTheFileStillLoadsInJrnn() throws Exception {
        for (String mode : new String[] {"concat", "none"}) {
            Input in = Input.shape(5, 3);
            Node b = new Bidirectional(new LSTM(3), new LSTM(2).goBackwards(true)).mergeMode(mode).name("bi").apply(in);
            Node out = mode.equals("none") ? b : new Dense(1).name("head").apply(b);
            try (Model m = new Model(List.of(in), List.of(out)).name("uneven")) {
                String w = "uneven.save: Bidirectional 'bi' (forward 3, backward 2) merges directions of different units: jrnn loads"
                        + " the file back, Keras 3 cannot (it sizes the merged output from the forward layer in every merge mode);"
                        + " give both directions the same units for a file Keras loads";
                assertEquals(List.of(w), LogCapture.warnings(LOG, () -> m.save(dir.resolve(mode + ".keras"))));
                assertEquals(List.of(), LogCapture.warnings(LOG, () -> m.save(dir.resolve(mode + ".h5"))));   // once per model
                try (Model l = Models.load(dir.resolve(mode + ".keras"))) {
                    Tensor x = Tensor.full(0.5f, 2, 5, 3);
                    assertEquals(m.predict(x), l.predict(x));
                }
            }
        }
        try (Model even = new Sequential(Input.shape(5, 3), new Bidirectional(new LSTM(3), new LSTM(3).goBackwards(true)), new Dense(1))) {
            assertEquals(List.of(), LogCapture.warnings(LOG, () -> even.save(dir.resolve("even.keras"))));
        }
    }

    @Test
    void namesOutsideTensorFlowsScopePatternWarnAtSaveAndToJson() throws Exception {
        Input in = Input.shape(4);
        Node a = new Dense(2).name("my head").apply(in);
        Node b = new Dense(2).name("head:0").apply(a);
        Node c = new Dense(1).name("ok-name_1.x>y").apply(b);   // every character the pattern allows
        String tail = " outside Keras' TensorFlow backend's scope names (^[A-Za-z0-9_.\\\\/>-]*$): Keras 3 on TensorFlow loads the file"
                + " and fails at its first call; its JAX backend runs it; rename with name(...) for a file TensorFlow runs";
        try (Model m = new Model(List.of(in), List.of(c)).name("model_é")) {
            assertEquals(List.of("model_é.toJson: the names 'model_é', 'my head', 'head:0' fall" + tail),
                    LogCapture.warnings(LOG, m::toJson));
            assertEquals(List.of(), LogCapture.warnings(LOG, m::toJson));
        }
        try (Model m = new Sequential(Input.shape(4), new Dense(1).name("head_é"))) {
            assertEquals(List.of(m.name() + ".save: the name 'head_é' falls" + tail),
                    LogCapture.warnings(LOG, () -> m.save(dir.resolve("n.keras"))));
        }
    }
}
