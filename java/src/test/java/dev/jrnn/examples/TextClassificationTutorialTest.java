package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.data.TextVectorization;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.ModelCheckpoint;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jrnn.examples.TutorialReference.close;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The IMDB-style bidirectional LSTM text classifier (keras.io's "Bidirectional LSTM on IMDB" with TextVectorization),
 * ported on a small synthetic corpus ({@code tutorials/reviews.tsv}): vocabulary of 20 tokens, sequences of 12,
 * {@code Embedding(mask_zero)}, {@code Bidirectional(LSTM(return_sequences))}, {@code Bidirectional(LSTM)},
 * {@code Dense(1, sigmoid)}, binary cross-entropy and accuracy, {@code validation_split=0.25} and class weights.
 * Reference: the same run in float64 torch with Keras' masking and loss rules ({@code tutorials/make_reference.py}).
 */
class TextClassificationTutorialTest {
    /** float32 against float64 over 16 Adam steps through four masked LSTMs. */
    static final double TOL = 2e-4;
    static Map<String, Tensor> ref;
    static List<String> texts = new ArrayList<>();
    static Tensor labels;

    @BeforeAll
    static void readCorpus() throws IOException {
        Jrnn.setBackend("cpu");   // the references' tolerances are the CPU's; and no backend notice in the test log
        ref = TutorialReference.load("text");
        List<String> lines = Files.readAllLines(TutorialReference.resource("reviews.tsv"));
        float[] y = new float[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t", 2);
            y[i] = Float.parseFloat(f[0]);
            texts.add(f[1]);
        }
        labels = Tensor.of(y, y.length, 1);
    }

    static TextVectorization vectorize() {
        TextVectorization v = new TextVectorization().maxTokens(20).outputSequenceLength(12);
        v.adapt(texts);
        return v;
    }

    static Sequential model() {
        Sequential m = new Sequential(Input.shape(-1),
                new Embedding(20, 6).maskZero(true),
                new Bidirectional(new LSTM(5).returnSequences(true)),
                new Bidirectional(new LSTM(4)),
                new Dense(1).activation("sigmoid"));
        m.compile(new Adam(0.02), "binary_crossentropy", "accuracy");
        List<Tensor> w = new ArrayList<>();
        for (int i = 0; i < 15; i++) w.add(ref.get("w" + i));
        m.setWeights(w);
        return m;
    }

    @Test
    void textVectorizationGivesKerasVocabularyAndIndices() throws IOException {
        TextVectorization v = vectorize();
        List<String> want = Files.readAllLines(TutorialReference.resource("reviews_vocabulary.txt"));
        assertEquals(want, v.vocabulary());
        close("token indices", ref.get("x"), v.call(texts), 0);
    }

    @Test
    void fitWithValidationSplitAndClassWeightsMatchesTheFloat64Replay() {
        Sequential m = model();
        History h = m.fit(vectorize().call(texts), labels, new FitOptions().epochs(2).batchSize(16).shuffle(false)
                .validationSplit(0.25).classWeight(Map.of(0, 1.0, 1, 2.0)).verbose(0));
        close("loss", ref.get("loss"), h.get("loss"), TOL);
        close("accuracy", ref.get("accuracy"), h.get("accuracy"), TOL);
        close("val_loss", ref.get("val_loss"), h.get("val_loss"), TOL);
        close("val_accuracy", ref.get("val_accuracy"), h.get("val_accuracy"), TOL);
        close("embeddings", ref.get("embeddings"), m.getWeights().get(0), TOL);
        close("predictions", ref.get("pred"), m.predict(vectorize().call(texts.subList(0, 8))), TOL);
    }

    @Test
    void sampleWeightsOfTheClassWeightsTrainAsTheClassWeights() {
        Tensor x = vectorize().call(texts);
        float[] w = new float[labels.size()];
        for (int i = 0; i < w.length; i++) w[i] = labels.data()[i] == 1 ? 2f : 1f;
        Sequential a = model(), b = model();
        History ha = a.fit(x, labels, new FitOptions().epochs(2).batchSize(16).shuffle(false).validationSplit(0.25)
                .classWeight(Map.of(0, 1.0, 1, 2.0)).verbose(0));
        History hb = b.fit(x, labels, new FitOptions().epochs(2).batchSize(16).shuffle(false).validationSplit(0.25)
                .sampleWeight(Tensor.of(w, w.length)).verbose(0));
        assertEquals(ha.get("loss"), hb.get("loss"));
        // Keras weighs no validation with class_weight, but splits sample_weight with the data: its last 25% weigh val_loss
        close("val_loss, class weights", ref.get("val_loss"), ha.get("val_loss"), TOL);
        close("val_loss, sample weights", ref.get("val_loss_weighted"), hb.get("val_loss"), TOL);
    }

    @Test
    void maskedPaddingLeavesPredictionsUnchanged() {
        Sequential m = model();
        m.fit(vectorize().call(texts), labels, new FitOptions().epochs(1).batchSize(16).shuffle(false).verbose(0));
        // the same texts padded to the batch's longest (no output_sequence_length) or to 12: the mask skips the padding
        List<String> shortTexts = List.of("good movie", "the plot was dull", "awful");
        TextVectorization ragged = new TextVectorization().maxTokens(20);
        ragged.adapt(texts);
        Tensor x4 = ragged.call(shortTexts), x12 = vectorize().call(shortTexts);
        assertEquals(4, x4.dim(1));
        close("padded to 4 vs 12", m.predict(x12), m.predict(x4), 1e-6);
        // a text of no known token but padding is fully masked: both LSTMs return their zero initial states
        Tensor empty = vectorize().call(List.of(""));
        float bias = m.getWeights().get(14).get(0);
        close("empty text", new float[] {(float) (1 / (1 + Math.exp(-bias)))}, m.predict(empty).toArray(), 1e-6);
    }

    /**
     * The checkpoint of epoch 2 of a shuffled fit with class weights and a validation split, loaded and resumed with
     * initialEpoch 2, gives the uninterrupted run's epochs 3 and 4 bit for bit (the shuffles replayed from the seed).
     */
    @Test
    void resumingTheShuffledClassWeightedFitFromACheckpointIsExact(@TempDir Path dir) throws IOException {
        Tensor x = vectorize().call(texts);
        FitOptions o = new FitOptions().epochs(4).batchSize(16).seed(11).validationSplit(0.25).classWeight(Map.of(0, 1.0, 1, 2.0)).verbose(0);
        Sequential m = model();
        History full = m.fit(x, labels, o.callbacks(new ModelCheckpoint(dir.resolve("e{epoch}.keras").toString())));
        Model again = Models.load(dir.resolve("e2.keras"));
        History rest = again.fit(x, labels, new FitOptions().epochs(4).initialEpoch(2).batchSize(16).validationSplit(0.25)
                .classWeight(Map.of(0, 1.0, 1, 2.0)).verbose(0));
        assertEquals(full.get("loss").subList(2, 4), rest.get("loss"));
        assertEquals(full.get("val_accuracy").subList(2, 4), rest.get("val_accuracy"));
        assertEquals(m.getWeights(), again.getWeights());
    }

    /** keras.io's "Bidirectional LSTM on IMDB" model at its sizes (20000 tokens, 128, 64 units): its printed summary. */
    @Test
    void summaryIsTheTutorialsTable() {
        dev.jrnn.Jrnn.clearSession();
        Input inputs = Input.shape(-1);
        Node x = new Embedding(20000, 128).apply(inputs);
        x = new Bidirectional(new LSTM(64).returnSequences(true)).apply(x);
        x = new Bidirectional(new LSTM(64)).apply(x);
        Model m = new Model(inputs, new Dense(1).activation("sigmoid").apply(x));
        assertEquals(String.join("\n",
                "Model: \"model\"",
                "_________________________________________________________________",
                " Layer (type)                Output Shape              Param #   ",
                "=================================================================",
                " input_1 (InputLayer)        [(None, None)]            0         ",
                "                                                                 ",
                " embedding (Embedding)       (None, None, 128)         2560000   ",
                "                                                                 ",
                " bidirectional (Bidirectiona  (None, None, 128)        98816     ",
                " l)                                                              ",
                "                                                                 ",
                " bidirectional_1 (Bidirectio  (None, 128)              98816     ",
                " nal)                                                            ",
                "                                                                 ",
                " dense (Dense)               (None, 1)                 129       ",
                "                                                                 ",
                "=================================================================",
                "Total params: 2,757,761",
                "Trainable params: 2,757,761",
                "Non-trainable params: 0",
                "_________________________________________________________________", ""), m.summaryString());
    }
}
