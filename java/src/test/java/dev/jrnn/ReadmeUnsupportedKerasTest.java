package dev.jrnn;

import dev.jrnn.layers.Dense;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guide's (docs/GUIDE.md) "Keras options jrnn does not support": each error it quotes is the one the call really throws, and
 * each option it lists as missing from the API is missing (when one is added, this test asks for the list's update).
 */
class ReadmeUnsupportedKerasTest {
    private static String section;

    @BeforeAll
    static void readme() throws IOException {
        Jrnn.setBackend("cpu");
        section = Readme.section("## Keras options jrnn does not support");
    }

    private static void quoted(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(message), "thrown: " + e.getMessage() + "\nthe guide quotes: " + message);
        assertTrue(section.contains("`" + message), "the guide's list quotes `" + message + "`");
    }

    @Test
    void theQuotedErrorsAreTheRealOnes() {
        quoted("unknown optimizer 'ftrl'", () -> new Sequential(new Dense(1)).compile("ftrl", "mse"));
        quoted("unknown loss 'dice'", () -> new Sequential(new Dense(1)).compile("adam", "dice"));
        quoted("loss 'crossentropy': Keras picks the cross-entropy from the targets' shape; name it",
                () -> new Sequential(new Dense(1)).compile("adam", "crossentropy"));
        quoted("unknown metric 'mean_iou': expected one of accuracy, mae, mse,",
                () -> new Sequential(new Dense(1)).compile("adam", "mse", "mean_iou"));
        quoted("gru: recurrentDropout 0.2 with resetAfter(false) is not supported",
                () -> new dev.jrnn.layers.GRU(4).name("gru").resetAfter(false).recurrentDropout(0.2));
        quoted("l: dropout must be in [0, 1), got 1.0", () -> new dev.jrnn.layers.LSTM(2).name("l").dropout(1.0));
        quoted("Regularizers.of: name must be one of l1, l2, l1l2",
                () -> dev.jrnn.regularizers.Regularizers.of("orthogonal_regularizer"));
        quoted("bn: axis must be the last axis (-1 or its index, the features), got 0",
                () -> new dev.jrnn.layers.BatchNormalization().name("bn").axis(0));
        quoted("unknown activation 'glu'", () -> new Dense(4).activation("glu"));
        // Keras casts ids and sparse class indices to int32 (truncating); jrnn refuses a fraction (the tester's D5)
        quoted("m.predict: embedding: id 11.7 at (0, 0) of x is not an integer in [0, 20) (the vocabulary size)", () -> {
            try (Sequential m = new Sequential(dev.jrnn.model.Input.shape(1), new dev.jrnn.layers.Embedding(20, 2).name("embedding"))) {
                m.name("m").predict(dev.jrnn.tensor.Tensor.wrap(new float[] {11.7f}, 1, 1));
            }
        });
        quoted("m.fit: y holds class index 1.9 at (2, 0); loss sparse_categorical_crossentropy needs integers in [0, 3)", () -> {
            try (Sequential m = new Sequential(dev.jrnn.model.Input.shape(2), new Dense(3).activation("softmax"))) {
                m.name("m").compile("adam", "sparse_categorical_crossentropy");
                m.fit(dev.jrnn.tensor.Tensor.zeros(3, 2), dev.jrnn.tensor.Tensor.wrap(new float[] {0, 1, 1.9f}, 3, 1), new FitOptions().verbose(0));
            }
        });
        quoted("sm: axis [1, 3] of a Softmax layer: expected distinct adjacent axes of input (None, 2, 3, 4), got axes [1, 3]",
                () -> new dev.jrnn.layers.Softmax(new int[] {1, 3}).name("sm").apply(dev.jrnn.model.Input.shape(2, 3, 4)));
        quoted("p: shared_axes of a PReLU layer must be input axes >= 1 (0 is the batch), got [-1]",
                () -> new dev.jrnn.layers.PReLU().name("p").sharedAxes(-1));
        quoted("mha: attentionAxes other than the steps axis are not supported",
                () -> new dev.jrnn.layers.MultiHeadAttention(2, 8).name("mha").attentionAxes(2));
    }

    /** The guide's rows on custom pieces: Initializer is sealed (no class of the user's own), and there is no gradients API. */
    @Test
    void customInitializersAndTrainStepsAreAsListed() {
        assertTrue(dev.jrnn.initializers.Initializer.class.isSealed(), "Initializer is no longer sealed: update the guide's row");
        assertTrue(section.contains("`Initializer` is sealed"));
        for (Class<?> cls : List.of(dev.jrnn.model.Model.class, dev.jrnn.model.Sequential.class)) {
            assertFalse(Arrays.stream(cls.getMethods()).map(Method::getName).anyMatch(n -> n.equals("gradients") || n.equals("trainStep")),
                    cls.getSimpleName() + " has a gradients API now: update the guide's row");
        }
        assertTrue(section.contains("no gradients API"));
    }

    @Test
    void theOptionsListedAsMissingAreMissing() {
        Map<Class<?>, String[]> missing = Map.of(
                dev.jrnn.layers.BatchNormalization.class, new String[] {"renorm", "synchronized"},
                dev.jrnn.layers.MultiHeadAttention.class, new String[] {"useGate", "slidingWindow"});
        missing.forEach((cls, names) -> {
            for (String n : names) {
                assertFalse(Arrays.stream(cls.getMethods()).map(Method::getName).anyMatch(n::equals),
                        cls.getSimpleName() + "." + n + " exists now: take it off the guide's list");
                assertTrue(section.contains("`" + n), "the guide's list names `" + n + "`");
            }
        });
        // the optimizers' loss scaling is missing; EMA and gradient accumulation are there, and off the list
        for (Class<?> cls : List.of(dev.jrnn.optim.Adam.class, dev.jrnn.optim.AdamW.class, dev.jrnn.optim.SGD.class, dev.jrnn.optim.RMSprop.class,
                dev.jrnn.optim.Adagrad.class, dev.jrnn.optim.Adadelta.class, dev.jrnn.optim.Adamax.class, dev.jrnn.optim.Nadam.class,
                dev.jrnn.optim.Lion.class)) {
            for (String n : new String[] {"lossScaleFactor"}) {
                assertFalse(Arrays.stream(cls.getMethods()).map(Method::getName).anyMatch(n::equals),
                        cls.getSimpleName() + "." + n + " exists now: take it off the guide's list");
                assertTrue(section.contains("`" + n), "the guide's list names `" + n + "`");
            }
            for (String n : new String[] {"useEma", "emaMomentum", "emaOverwriteFrequency", "gradientAccumulationSteps"}) {
                assertTrue(Arrays.stream(cls.getMethods()).map(Method::getName).anyMatch(n::equals), cls.getSimpleName() + "." + n);
                assertFalse(section.contains("`" + n), "the guide's unsupported list still names `" + n + "`");
            }
        }
        for (String layer : new String[] {"SeparableConv1D", "Conv2D", "UpSampling2D", "GlobalMaxPooling2D", "GroupQueryAttention"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.jrnn.layers." + layer),
                    layer + " exists now: take it off the guide's list");
            assertTrue(section.contains(layer), "the guide's list names " + layer);
        }
    }

    /**
     * Every Keras layer class the table quotes as refused ({@code layer class 'X' is not supported}) is refused by the
     * importer with that message, and has no class in {@code dev.jrnn.layers}: when one becomes supported, this fails
     * until its row goes. The layers a Keras file may hold that jrnn lacks are all quoted (the apigap tester's list).
     */
    @Test
    void theLayerClassesTheTableQuotesAsRefusedAreRefusedByTheImporter() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("`layer class '(\\w+)' is not supported`").matcher(section);
        java.util.Set<String> quoted = new java.util.LinkedHashSet<>();
        while (m.find()) quoted.add(m.group(1));
        assertTrue(quoted.containsAll(List.of("UnitNormalization", "AlphaDropout", "ActivityRegularization", "EinsumDense", "Rescaling",
                "StringLookup", "IntegerLookup", "CategoryEncoding", "Hashing", "Discretization", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")),
                "the table quotes the refusal of each: " + quoted);
        for (String cls : quoted) {
            String json = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                    + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4, 3], \"name\": \"in\"}},"
                    + "{\"class_name\": \"" + cls + "\", \"config\": {\"name\": \"x\"}}]}}";
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.jrnn.model.Models.fromJson(json),
                    cls + " is imported now: take its row off the guide's table");
            assertTrue(e.getMessage().contains("layer 'x' (" + cls + "): layer class '" + cls + "' is not supported"), e.getMessage());
            assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.jrnn.layers." + cls),
                    cls + " exists now: take it off the guide's list");
        }
    }

    /** The rows on plot_model, ProgbarLogger and RemoteMonitor: no such classes, and what they point to is there. */
    @Test
    void theUtilityRowsPointToWhatIsThere() throws NoSuchMethodException {
        for (String cls : new String[] {"ProgbarLogger", "RemoteMonitor", "LambdaCallback"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.jrnn.model." + cls), cls + " exists now: update the guide");
        }
        for (String s : new String[] {"`keras.utils.plot_model`", "`ProgbarLogger`", "`RemoteMonitor`", "`summary(SummaryFormat.KERAS_3)`",
                "`FitOptions.verbose(1)`", "`Callback.onEpochEnd((epoch, logs) -> ...)`"}) {
            assertTrue(section.contains(s), "the guide's table names " + s);
        }
        dev.jrnn.model.Model.class.getMethod("summary", dev.jrnn.model.SummaryFormat.class);
        FitOptions.class.getMethod("verbose", int.class);
        dev.jrnn.model.Callback.class.getMethod("onEpochEnd", dev.jrnn.model.Callback.EpochListener.class);
    }

    /**
     * The custom-cell row: Keras' generic RNN and StackedRNNCells have no class in code, the three cells are not public
     * (the RNN guide's NestedCell has nowhere to go), and {@code asKerasRnn} is there for {@code RNN(LSTMCell(8))}.
     */
    @Test
    void customCellsAreMissingAndAsKerasRnnIsThere() throws ReflectiveOperationException {
        for (String cls : new String[] {"RNN", "StackedRNNCells"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.jrnn.layers." + cls), cls + " exists now: update the guide's row");
            assertTrue(section.contains("`" + cls), "the guide's list names " + cls);
        }
        for (String cls : new String[] {"LSTMCell", "GRUCell", "SimpleRNNCell"}) {
            assertFalse(java.lang.reflect.Modifier.isPublic(Class.forName("dev.jrnn.layers." + cls).getModifiers()),
                    cls + " is public now: update the guide's row");
            assertTrue(section.contains("`" + cls), "the guide's list names " + cls);
        }
        assertEquals(dev.jrnn.layers.LSTM.class, dev.jrnn.layers.LSTM.class.getMethod("asKerasRnn", boolean.class).getReturnType());
        assertTrue(section.contains("`new LSTM(8).asKerasRnn(true)`"), "the guide's row names asKerasRnn");
    }

    /** The layers' initializers left the table: the setters are there, by Keras' name and as objects. */
    @Test
    void theInitializersAreThere() throws NoSuchMethodException {
        assertFalse(section.contains("`embeddingsInitializer`") || section.contains("`recurrent_initializer`"), "the guide's table still lists them");
        for (Class<?> cls : List.of(dev.jrnn.layers.LSTM.class, dev.jrnn.layers.GRU.class, dev.jrnn.layers.SimpleRNN.class)) {
            for (String n : new String[] {"kernelInitializer", "recurrentInitializer", "biasInitializer"}) {
                assertEquals(cls, cls.getMethod(n, String.class).getReturnType());
                assertEquals(cls, cls.getMethod(n, dev.jrnn.initializers.Initializer.class).getReturnType());
            }
        }
        for (Class<?> cls : List.of(Dense.class, dev.jrnn.layers.Conv1D.class)) {
            for (String n : new String[] {"kernelInitializer", "biasInitializer"}) cls.getMethod(n, dev.jrnn.initializers.Initializer.class);
        }
        dev.jrnn.layers.Embedding.class.getMethod("embeddingsInitializer", String.class);
    }

    /** TextVectorization's ngrams and "one_hot", Normalization's axis and constant mean / variance left the table: they are there. */
    @Test
    void preprocessingOptionsThatLeftTheTableAreThere() throws NoSuchMethodException {
        dev.jrnn.data.TextVectorization.class.getMethod("ngrams", int.class);
        assertEquals("one_hot", new dev.jrnn.data.TextVectorization().outputMode("one_hot").outputMode());
        assertFalse(section.contains("`ngrams`") || section.contains("one_hot"), "the guide's table still lists ngrams or one_hot");
        dev.jrnn.layers.Normalization.class.getMethod("axis", int[].class);
        dev.jrnn.layers.Normalization.class.getMethod("meanAndVariance", double.class, double.class);
        assertFalse(section.contains("Normalization's `axis`") || section.contains("`mean=`"), "the guide's table still lists Normalization's options");
    }

    /** Metrics per output and weighted_metrics left the table: compile takes a Map of metrics by output name and WeightedMetrics. */
    @Test
    void metricsPerOutputAndWeightedMetricsAreThere() {
        assertFalse(section.contains("weighted_metrics") || section.contains("metrics per output"), "the guide's table still lists them");
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(2);
        Model m = new Model(in, List.of(new Dense(1).name("a").apply(in), new Dense(1).name("kind").apply(in)));
        m.compile("adam", "mse", Map.of("kind", List.of("auc")), dev.jrnn.model.WeightedMetrics.of("mae"));
        assertEquals(List.of("kind_auc", "a_mae", "kind_mae"), m.metricKeys());
    }

    /**
     * The loss row's options are refused where Keras files carry them (a reduction of "none", another axis, a per-class
     * alpha), there is no axis option and no "none" reduction in code, and the shape-picked "ce" is refused as "crossentropy".
     */
    @Test
    void theLossOptionsTheRowNamesAreRefused() {
        for (Map<String, Object> c : List.<Map<String, Object>>of(Map.of("reduction", "none"), Map.of("axis", 1), Map.of("alpha", List.of(0.2, 0.8)))) {
            String key = c.keySet().iterator().next();
            assertTrue(section.contains("`" + key + "`"), "the guide's loss row names " + key);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.jrnn.losses.Losses.deserialize(
                    Map.of("class_name", "CategoricalFocalCrossentropy", "config", c)));
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
        assertFalse(Arrays.stream(dev.jrnn.backend.Loss.class.getMethods()).anyMatch(m -> m.getName().equals("axis")),
                "Loss has an axis option now: take it off the guide's row");
        quoted("Loss.reduction: expected one of [sum_over_batch_size, mean, sum, mean_with_sample_weight], got none",
                () -> dev.jrnn.backend.Loss.MSE.reduction("none"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> dev.jrnn.losses.Losses.of("CE")).getMessage()
                .contains("categorical_crossentropy (one-hot targets)"));
    }

    /** The metrics row says the metrics at a fixed rate are objects only, as in Keras: their classes exist, their names are refused. */
    @Test
    void theRateMetricsAreObjectsOnly() throws ClassNotFoundException {
        for (String cls : new String[] {"PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity"}) {
            Class.forName("dev.jrnn.losses." + cls);
            assertTrue(section.contains("`" + cls + "`"), "the guide's metrics row names " + cls);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(new Dense(1)).compile("adam", "mse", "specificity_at_sensitivity"));
        assertTrue(e.getMessage().contains("needs the rate it is taken at"), e.getMessage());
    }

    /** What the sample-weight row says is there: per-timestep weights, per-output lists, the on-batch and validation forms, a weighted Dataset. */
    @Test
    void theSampleWeightFormsTheRowNamesAreThere() throws NoSuchMethodException {
        assertTrue(section.contains("sample weights (per sample, per timestep, per output) reach fit"), "the guide's sample-weight row");
        FitOptions.class.getMethod("sampleWeight", List.class);
        FitOptions.class.getMethod("validationData", dev.jrnn.tensor.Tensor.class, dev.jrnn.tensor.Tensor.class, dev.jrnn.tensor.Tensor.class);
        Model.class.getMethod("trainOnBatch", dev.jrnn.tensor.Tensor.class, dev.jrnn.tensor.Tensor.class, dev.jrnn.tensor.Tensor.class);
        Model.class.getMethod("testOnBatch", dev.jrnn.tensor.Tensor.class, dev.jrnn.tensor.Tensor.class, dev.jrnn.tensor.Tensor.class);
        dev.jrnn.data.Dataset.class.getMethod("fromTensors", dev.jrnn.tensor.Tensor.class, dev.jrnn.tensor.Tensor.class, dev.jrnn.tensor.Tensor.class);
        dev.jrnn.data.Sample.class.getMethod("sequence", dev.jrnn.tensor.Tensor.class, dev.jrnn.tensor.Tensor.class, dev.jrnn.tensor.Tensor.class);
        assertFalse(Arrays.stream(dev.jrnn.data.Dataset.class.getMethods()).anyMatch(m -> m.getName().startsWith("fromRagged") && m.getParameterCount() > 3),
                "a ragged source takes sample weights now: take it off the guide's list");
    }

    /** The table's "X other than a, b, c" lists name exactly the optimizers, losses and metrics compile knows. */
    @Test
    void theListsOfWhatThereIsAreTheRealOnes() {
        String optimizers = row("optimizers other than "), losses = row("losses other than "), metrics = row("metrics other than ");
        for (String n : known(() -> new Sequential(new Dense(1)).compile("ftrl", "mse"))) {
            assertTrue(optimizers.contains(n), "the guide's optimizer row lacks " + n);
        }
        for (String n : known(() -> new Sequential(new Dense(1)).compile("adam", "dice"))) {
            // the guide sums up mse, mae, the cross-entropies (each also _from_logits) and names the rest
            assertTrue(n.endsWith("crossentropy") || n.startsWith("each ") || losses.contains(n), "the guide's loss row lacks " + n);
        }
        for (String n : known(() -> new Sequential(new Dense(1)).compile("adam", "mse", "mean_iou"))) {
            // the guide sums up the accuracy forms: "accuracy (and its binary, categorical, sparse and top-k forms)"
            assertTrue(n.endsWith("accuracy") || metrics.contains(n), "the guide's metric row lacks " + n);
        }
        assertEquals(known(() -> new Sequential(new Dense(1)).compile("ftrl", "mse")), Arrays.asList(optimizers.split(", ")),
                "the guide's optimizer row names the optimizers compile knows, in its order");
        for (String n : metrics.replaceAll(" \\(and its [^)]*\\)", "").split(", ")) {
            assertTrue(known(() -> new Sequential(new Dense(1)).compile("adam", "mse", "mean_iou")).contains(n),
                    "the guide's metric row names " + n + ", which compile does not know");
        }
    }

    /** What the row starting with {@code start} lists before its example in parentheses. */
    private static String row(String start) {
        int from = section.indexOf("| " + start);
        assertTrue(from >= 0, "the guide's table has a row '" + start + "'");
        String list = section.substring(from + 2 + start.length(), section.indexOf(" (`", from));
        return list;
    }

    /** The names an "unknown ..." error lists after "expected" (one of), split at commas and "or". */
    private static List<String> known(Executable call) {
        String m = assertThrows(IllegalArgumentException.class, call).getMessage();
        String list = m.substring(m.indexOf("expected ") + "expected ".length()).replaceFirst("^one of ", "");
        list = list.replaceAll(" \\([^)]*\\)", "").replace(" or ", ", ");
        return Arrays.stream(list.split(", ")).map(String::strip).toList();
    }
}
