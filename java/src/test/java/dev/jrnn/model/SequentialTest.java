package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Sequential whose construction fails frees the layers it built (they were leaking their weights). */
class SequentialTest {
    @AfterEach
    void reset() {
        Jrnn.setBackend("cpu");
    }

    /** Keras' predict(x, batch_size=...): the same outputs in any batch size for a stateless model; a stateful one advances per batch. */
    @Test
    void predictWithABatchSize() {
        Jrnn.setSeed(5);
        Sequential m = new Sequential(new LSTM(4).inputShape(3, 2), new Dense(1));
        float[] v = new float[42];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        Tensor x = Tensor.of(v, 7, 3, 2);
        assertArrayEquals(m.predict(x).data(), m.predict(x, 3).data(), 1e-6f);
        assertArrayEquals(m.predictAll(List.of(x), 3, null).get(0).data(), m.predict(x, 3).data(), 0f);
        assertArrayEquals(new int[] {7, 1}, m.predict(x, 100).shape());
    }

    @Test
    void aFailedConstructionFreesWhatItBuilt() {
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        List<Supplier<Layer[]>> failing = List.of(
                // an LSTM after a layer that drops the time axis
                () -> new Layer[] {new LSTM(3).inputShape(4, 2), new Dense(2), new LSTM(2)},
                () -> new Layer[] {new Dense(4).inputShape(3), new Bidirectional(new GRU(2))},
                // a layer too big to build after built ones
                () -> new Layer[] {new Bidirectional(new LSTM(3).returnSequences(true)).inputShape(4, 2),
                        new TimeDistributed(new Dense(3)), new Dense(1_000_000_000)});
        for (int i = 0; i < failing.size(); i++) {
            long live = be.liveBuffers();
            Layer[] layers = failing.get(i).get();
            assertThrows(IllegalArgumentException.class, () -> new Sequential(layers), "case " + i);
            assertEquals(live, be.liveBuffers(), "case " + i + ": buffers left by the failed construction");
            for (Layer l : layers) assertFalse(l.isBuilt(), "case " + i + ": " + l.name() + " still built");
        }
        // the discarded layers build again
        Layer lstm = new LSTM(3).inputShape(4, 2);
        assertThrows(IllegalArgumentException.class, () -> new Sequential(lstm, new Dense(2), new LSTM(2)));
        try (Sequential m = new Sequential(lstm, new Dense(1))) {
            assertEquals(2, m.predict(Tensor.zeros(2, 4, 2)).dim(0));
        }
        // and take shape options again: the failed construction's calls went with its build
        LSTM first = new LSTM(3).inputShape(4, 2);
        assertThrows(IllegalArgumentException.class, () -> new Sequential(first, new LSTM(2)));   // 2-D into an LSTM
        first.returnSequences(true);
        try (Sequential m = new Sequential(first, new LSTM(2))) {
            assertEquals("(2, 2)", Tensor.shapeString(m.predict(Tensor.zeros(2, 4, 2)).shape()));
        }
    }

    @Test
    void aGivenNameTakesNoDefaultNumber() {
        // Keras: Sequential(name="x") then Sequential() is "sequential", not "sequential_1"
        dev.jrnn.backend.NameUids.reset();
        assertEquals("x", new Sequential().name("x").name());
        assertEquals("sequential", new Sequential().name());
        Input in = Input.shape(2);
        assertEquals("m", new Model(List.of(in), new Dense(1).apply(in)).name("m").name());
        Input in2 = Input.shape(2);
        assertEquals("model", new Model(List.of(in2), new Dense(1).apply(in2)).name());
        // a name given later than right after leaves the numbers drawn since as they are
        Sequential a = new Sequential(), b = new Sequential();
        a.name("a");
        assertEquals("sequential_2", b.name());
        assertEquals("sequential_3", new Sequential().name());
    }

    /** Keras 3's build on a built model: the same input shape is a no-op, another one is refused naming both. */
    @Test
    void buildAgainForTheSameShapeIsANoOp() {
        Jrnn.setBackend("cpu");
        Sequential m = new Sequential(new LSTM(2).inputShape(5, 3), new Dense(1));
        List<Tensor> before = m.getWeights();
        assertEquals(m, m.build(5, 3));
        assertArrayEquals(before.get(0).data(), m.getWeights().get(0).data());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.build(6, 3));
        assertTrue(e.getMessage().contains("(None, 5, 3)") && e.getMessage().contains("(None, 6, 3)"), e.getMessage());
    }

    /**
     * Keras 3's model.build() with no shape on a model built for its declared input: nothing to do (it threw "cannot build it
     * for (None,)", the empty shape of the varargs).
     */
    @Test
    void buildWithoutAShapeOnABuiltModelIsANoOp() {
        Jrnn.setBackend("cpu");
        Sequential m = new Sequential(new LSTM(2).inputShape(5, 3), new Dense(1));
        List<Tensor> before = m.getWeights();
        assertEquals(m, m.build());
        assertTrue(m.isBuilt());
        assertArrayEquals(before.get(0).data(), m.getWeights().get(0).data());
        Sequential declared = new Sequential(Input.shape(4, 2), new GRU(2));
        assertEquals(declared, declared.build());
        Sequential unbuilt = new Sequential(new LSTM(2), new Dense(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, unbuilt::build);
        assertTrue(e.getMessage().contains("no input shape given and the model declares none"), e.getMessage());
        assertFalse(unbuilt.isBuilt());
    }

    /** A build that fails (the first predict on data of the wrong rank) leaves no layer built for it: the next one builds afresh. */
    @Test
    void aFailedBuildLeavesTheLayersUnbuilt() {
        Jrnn.setBackend("cpu");
        Dense dense = new Dense(2);
        Sequential m = new Sequential(dense, new LSTM(2));
        assertThrows(IllegalArgumentException.class, () -> m.predict(Tensor.zeros(3, 2)));   // (None, 2) into the LSTM
        assertFalse(dense.isBuilt(), "the Dense kept the build of the failed call");
        assertFalse(m.isBuilt());
        assertEquals("(3, 2)", Tensor.shapeString(m.predict(Tensor.zeros(3, 5, 4)).shape()));   // 4 features, not 2
        Sequential b = new Sequential(new Dense(2), new LSTM(2));
        assertThrows(IllegalArgumentException.class, () -> b.build(3));
        assertEquals(2 * 4 + 2 + 4 * (2 * 2 + 2 * 2 + 2), b.build(5, 4).countParams());
        // an added layer of several outputs is refused and left unbuilt too
        Sequential c = new Sequential(new Dense(2).inputShape(5, 4));
        LSTM states = new LSTM(3).returnState(true);
        assertThrows(IllegalArgumentException.class, () -> c.add(states));
        assertFalse(states.isBuilt());
    }

    /**
     * A layer of several outputs is refused with its cause: a Bidirectional's mergeMode(null) (no returnState there) was
     * told "use the functional API for returnState" (an outside tester's report); both ways of building the model.
     */
    @Test
    void theRefusalOfSeveralOutputsNamesItsCause() {
        Jrnn.setBackend("cpu");
        IllegalArgumentException atBuild = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(new Bidirectional(new LSTM(2)).mergeMode(null).inputShape(3, 1)));
        assertTrue(atBuild.getMessage().contains("has 2 outputs")
                && atBuild.getMessage().contains("mergeMode(null) returns the forward and backward outputs apart")
                && !atBuild.getMessage().contains("returnState"), atBuild.getMessage());
        Sequential m = new Sequential(new Dense(2).inputShape(3, 1));
        IllegalArgumentException atAdd = assertThrows(IllegalArgumentException.class,
                () -> m.add(new Bidirectional(new GRU(2).returnSequences(true)).mergeMode(null)));
        assertTrue(atAdd.getMessage().contains("mergeMode(null)") && !atAdd.getMessage().contains("returnState"),
                atAdd.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> m.add(new Bidirectional(new GRU(2).returnState(true)).mergeMode(null)));
        assertTrue(both.getMessage().contains("has 4 outputs") && both.getMessage().contains("mergeMode(null)")
                && both.getMessage().contains("returnState(true)"), both.getMessage());
        IllegalArgumentException states = assertThrows(IllegalArgumentException.class,
                () -> m.add(new LSTM(2).returnState(true)));
        assertTrue(states.getMessage().contains("has 3 outputs") && states.getMessage().contains("returnState(true)")
                && !states.getMessage().contains("mergeMode"), states.getMessage());
        assertEquals(1, m.layers().size());    // every refused add left the model as it was
    }

    /** Keras 3 declares a Sequential's input with an Input first: Sequential([Input(shape=(4, 2)), LSTM(3), Dense(1)]). */
    @Test
    void anInputAddedFirstDeclaresTheInput() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(6);
        Sequential a = new Sequential(Input.shape(4, 2), new LSTM(3), new Dense(1));
        Jrnn.setSeed(6);
        Sequential b = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(1));
        assertEquals(List.of("lstm", "dense"), a.layers().stream().map(Layer::name).toList());   // no InputLayer, as Keras'
        assertEquals("(None, 4, 2)", a.inputs().get(0).shapeString());
        assertEquals(b.countParams(), a.countParams());
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 4, 2);
        assertEquals(b.predict(x), a.predict(x));
        // add(Input) then add(layer), and a fixed batch for a stateful layer
        Sequential c = new Sequential().add(Input.batchShape(2, 4, 2)).add(new LSTM(3).stateful(true));
        assertEquals("(2, 4, 2)", c.inputs().get(0).shapeString());
        // the Input's layer itself, as Keras takes an InputLayer
        Input in = Input.shape(5);
        assertEquals("(None, 2)", new Sequential(in.layer(), new Dense(2)).outputs().get(0).shapeString());
        // only one Input, and only first; one that disagrees with the first layer's inputShape is refused
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(Input.shape(4, 2)));
        assertEquals("sequential.add: the model already has its input (None, 4, 2); it cannot take another Input", e.getMessage());
        Sequential d = new Sequential(new LSTM(2));
        e = assertThrows(IllegalArgumentException.class, () -> d.add(Input.shape(4, 2)));
        assertTrue(e.getMessage().contains("an Input comes before the layers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Sequential(Input.shape(4, 2), new LSTM(2).inputShape(5, 2)));
        assertTrue(e.getMessage().contains("declares input (None, 5, 2), the model's Input is (None, 4, 2)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sequential((Input) null, new LSTM(2)));
    }

    @Test
    void popDropsTheHeadAndANewOneTrainsOnTheLayerBefore() {
        Jrnn.setSeed(3);
        LSTM lstm = new LSTM(4).inputShape(5, 2);
        Dense head = new Dense(1);
        try (Sequential m = new Sequential(lstm, head)) {
            m.compile("adam", "mse");
            float[] xs = new float[6 * 5 * 2];
            java.util.SplittableRandom r = new java.util.SplittableRandom(1);
            for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextGaussian();
            Tensor x = Tensor.of(xs, 6, 5, 2);
            m.fit(x, Tensor.zeros(6, 1), new FitOptions().epochs(1).batchSize(3).verbose(0));
            assertEquals(head, m.pop());
            // the output is now the LSTM's own: the model predicts what the layer computes
            assertArrayEquals(lstm.call(x).data(), m.predict(x).data(), 0f);
            assertEquals(List.of(lstm), m.layers());
            assertEquals(4L * (2 + 4 + 1) * 4, m.countParams());
            Dense three = new Dense(3).activation("softmax");
            m.add(three);
            assertEquals(List.of(lstm, three), m.layers());
            assertEquals(4L * 7 * 4 + 4 * 3 + 3, m.countParams());
            // compiled as before (Keras keeps compile across pop); the new head trains
            float[] before = three.getWeights().get(0).data().clone();
            double loss = m.fit(x, Tensor.zeros(6, 3), new FitOptions().epochs(1).batchSize(3).verbose(0)).history().get("loss").get(0);
            assertTrue(Double.isFinite(loss));
            assertFalse(java.util.Arrays.equals(before, three.getWeights().get(0).data()), "the new head's kernel moved");
            assertTrue(m.summaryString().contains(three.name()) && !m.summaryString().contains(head.name() + " "), m.summaryString());
        }
    }

    @Test
    void popOfTheOnlyLayerKeepsTheInputAndAnEmptyModelRefuses() {
        try (Sequential m = new Sequential(new Dense(2).inputShape(3))) {
            m.pop();
            assertEquals(List.of(), m.layers());
            m.add(new Dense(5));   // built on the kept input (3)
            assertEquals(3L * 5 + 5, m.countParams());
            m.pop();
            IllegalStateException e = assertThrows(IllegalStateException.class, m::pop);
            assertEquals(m.name() + ".pop: there are no layers in the model", e.getMessage());
        }
        try (Sequential u = new Sequential(new Dense(2), new Dense(4))) {   // not built yet
            u.pop();
            u.build(3);
            assertEquals(3L * 2 + 2, u.countParams());
        }
    }

    /** Review: a popped layer keeps its weights (readable, reusable) and a model without layers is unbuilt. */
    @Test
    void aPoppedLayerKeepsItsWeightsAndTheEmptyModelIsUnbuilt() {
        Dense head = new Dense(2);
        Tensor x = Tensor.full(0.5f, 3, 4);
        try (Sequential m = new Sequential(new Dense(4).inputShape(4), head)) {
            float[] y = m.predict(x).data();
            List<Tensor> w = head.getWeights();
            m.pop();
            assertEquals(4 * 4 + 4, m.countParams());
            assertArrayEquals(w.get(0).data(), head.getWeights().get(0).data(), 0f);
            m.add(head);   // and back: the same predictions
            assertArrayEquals(y, m.predict(x).data(), 0f);
            m.pop();
            try (Sequential again = new Sequential(new Dense(4).inputShape(4), head)) {   // reused elsewhere
                assertEquals(2, again.predict(x).dim(1));
            }
        }
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        Dense only = new Dense(3).inputShape(2);
        long before = be.liveBuffers();
        try (Sequential m = new Sequential(only)) {
            m.pop();
            assertThrows(IllegalStateException.class, m::countParams);
            assertThrows(IllegalStateException.class, () -> m.save(java.nio.file.Path.of("never.keras")));
            assertEquals(3, only.call(Tensor.zeros(1, 2)).dim(1), "the popped layer still runs on its own weights");
        }
        only.discardBuild();   // the popped layer owns its weights: discarding it frees them
        assertTrue(be.liveBuffers() <= before, "buffers left: " + be.liveBuffers() + ", before the model " + before);
    }
    /**
     * A Sequential's own input is named as tf.keras 2 names it, {@code <first layer>_input}, and takes no number from the
     * functional inputs: Keras' RNN guide prints {@code input_1}, {@code input_2} for the encoder-decoder it builds after two
     * Sequential models (jrnn gave input_3, input_4). Declared shape, {@code build} and the first batch alike.
     */
    @Test
    void aSequentialsOwnInputTakesNoFunctionalInputNumber() {
        Jrnn.clearSession();
        Sequential declared = new Sequential(new LSTM(2).inputShape(3, 1));
        Sequential built = new Sequential(new GRU(2)).build(3, 1);
        Sequential fromData = new Sequential(new Dense(1));
        fromData.predict(Tensor.zeros(1, 4));
        assertEquals(List.of("lstm_input", "gru_input", "dense_input"),
                List.of(declared.inputs().get(0).layer().name(), built.inputs().get(0).layer().name(), fromData.inputs().get(0).layer().name()));
        assertEquals("input_1", Input.shape(2).name());
        assertEquals("input_2", Input.shape(2).name());
    }

    /** Keras 3.15.1: an unbuilt Sequential's get_weights() and weights are [] (jrnn threw "not yet been built"). */
    @Test
    void anUnbuiltSequentialHasNoWeights() {
        Sequential s = new Sequential(new LSTM(3), new Dense(1));
        assertEquals(List.of(), s.getWeights());
        assertEquals(List.of(), s.weightNames());
        assertFalse(s.isBuilt());
        s.build(5, 2);
        assertEquals(5, s.getWeights().size(), "kernel, recurrent kernel, bias; kernel, bias");
        assertEquals(5, s.weightNames().size());
    }

    /**
     * Keras 3.15.1's add raises "All layers added to a Sequential model should have unique names. Name 'l' is already the
     * name of a layer in this model" and keeps the model as it was (outside tester api9): jrnn accepted the layer and
     * failed later, at summary or predict, with the bad layer kept.
     */
    @Test
    void aSecondLayerOfOneNameIsRefusedAndTheModelStaysAsItWas() {
        Sequential s = new Sequential(Input.shape(5, 3), new LSTM(2).name("l"));
        Tensor x = Tensor.full(1f, 2, 5, 3);
        float[] before = s.predict(x).data();
        Dense dup = new Dense(1).name("l");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.add(dup));
        assertTrue(e.getMessage().contains("'l'"), e.getMessage());
        assertEquals(List.of("l"), s.layers().stream().map(Layer::name).toList());
        assertFalse(dup.isBuilt(), "the refused layer is not built");
        assertArrayEquals(before, s.predict(x).data());
        s.add(new Dense(1).name("d"));   // a unique name goes on
        assertArrayEquals(new int[] {2, 1}, s.predict(x).shape());
        assertThrows(IllegalArgumentException.class, () -> new Sequential(new LSTM(2).name("x").inputShape(5, 3), new Dense(1).name("x")));
    }
}
