package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.RMSprop;
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
import java.util.TreeSet;

import static dev.jrnn.examples.TutorialReference.close;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * keras.io's "Character-level recurrent sequence-to-sequence model", ported on {@code tutorials/pairs.txt} (fra.txt's
 * layout: a word of a-f and its reverse in capitals): one-hot texts padded with spaces, an encoder LSTM's states
 * starting the decoder LSTM, softmax Dense, RMSprop, categorical cross-entropy and accuracy, {@code validation_split};
 * then, as the tutorial, the model saved and loaded, the encoder and decoder inference models built from the loaded
 * model's layers and the greedy decoding loop. Reference: the same training in float64 torch with Keras' rules
 * ({@code tutorials/make_reference.py}); the decoding loop against the trained model's teacher-forced outputs.
 */
class CharSeq2SeqTutorialTest {
    static final int LATENT = 16;
    static final double TOL = 2e-4;
    @TempDir static Path dir;
    static Map<String, Tensor> ref;
    static List<String> inputs = new ArrayList<>(), targets = new ArrayList<>();
    static String inChars, outChars;
    static int te, td;
    static Tensor enc, dec, tgt;

    @BeforeAll
    static void vectorize() throws IOException {
        Jrnn.setBackend("cpu");   // the references' tolerances are the CPU's; and no backend notice in the test log
        ref = TutorialReference.load("seq2seq");
        TreeSet<Character> in = new TreeSet<>(List.of(' ')), out = new TreeSet<>(List.of(' '));
        for (String line : Files.readAllLines(TutorialReference.resource("pairs.txt"))) {
            String[] f = line.split("\t");
            String target = "\t" + f[1] + "\n";
            inputs.add(f[0]);
            targets.add(target);
            for (char c : f[0].toCharArray()) in.add(c);
            for (char c : target.toCharArray()) out.add(c);
            te = Math.max(te, f[0].length());
            td = Math.max(td, target.length());
        }
        inChars = join(in);
        outChars = join(out);
        int n = inputs.size();
        enc = Tensor.zeros(n, te, inChars.length());
        dec = Tensor.zeros(n, td, outChars.length());
        tgt = Tensor.zeros(n, td, outChars.length());
        for (int i = 0; i < n; i++) {
            String a = inputs.get(i), b = targets.get(i);
            for (int t = 0; t < te; t++) set(enc, i, t, inChars.indexOf(t < a.length() ? a.charAt(t) : ' '));
            for (int t = 0; t < td; t++) {
                set(dec, i, t, outChars.indexOf(t < b.length() ? b.charAt(t) : ' '));
                set(tgt, i, t, outChars.indexOf(t + 1 < b.length() ? b.charAt(t + 1) : ' '));
            }
        }
    }

    static String join(TreeSet<Character> s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s) sb.append(c);
        return sb.toString();
    }

    static void set(Tensor t, int i, int step, int k) {
        int[] s = t.shape();
        t.data()[(i * s[1] + step) * s[2] + k] = 1;
    }

    static Model model() {
        Input encoderInputs = Input.shape(-1, inChars.length());
        Node encoder = new LSTM(LATENT).returnState(true).apply(encoderInputs);
        Input decoderInputs = Input.shape(-1, outChars.length());
        Node decoder = new LSTM(LATENT).returnSequences(true).returnState(true)
                .apply(List.of(decoderInputs, encoder.get(1), encoder.get(2)));
        Node decoderOutputs = new Dense(outChars.length()).activation("softmax").apply(decoder.get(0));
        Model m = new Model(List.of(encoderInputs, decoderInputs), decoderOutputs);
        m.compile(new RMSprop(0.01), "categorical_crossentropy", "accuracy");
        List<Tensor> w = new ArrayList<>();
        for (int i = 0; i < 8; i++) w.add(ref.get("w" + i));
        m.setWeights(w);
        return m;
    }

    static History train(Model m) {
        return m.fit(List.of(enc, dec), List.of(tgt), new FitOptions().batchSize(16).epochs(3).validationSplit(0.2)
                .shuffle(false).verbose(0));
    }

    @Test
    void trainingMatchesTheFloat64Replay() {
        Model m = model();
        History h = train(m);
        close("loss", ref.get("loss"), h.get("loss"), TOL);
        close("accuracy", ref.get("accuracy"), h.get("accuracy"), TOL);
        close("val_loss", ref.get("val_loss"), h.get("val_loss"), TOL);
        close("val_accuracy", ref.get("val_accuracy"), h.get("val_accuracy"), TOL);
        List<Tensor> w = m.getWeights();
        for (int i = 0; i < 8; i++) close("weight " + i, ref.get("final" + i), w.get(i), TOL);
        close("teacher-forced outputs", ref.get("teacher"),
                m.predictAll(List.of(enc.slice(0, 4), dec.slice(0, 4)), 32, null).get(0), TOL);
    }

    @Test
    void inferenceModelsFromTheLoadedModelsLayersDecodeAsTheTrainedModel() throws IOException {
        Model trained = model();
        train(trained);
        Path file = dir.resolve("s2s_model.keras");
        trained.save(file);
        Model model = Models.load(file);

        // as the tutorial: encoder_model = Model(model.input[0], model.layers[2].output[1:]); the decoder from
        // model.layers[3] and model.layers[4] applied to new state inputs (layer.calls().get(0) is Keras' layer.output)
        assertEquals(List.of("InputLayer", "InputLayer", "LSTM", "LSTM", "Dense"),
                model.layers().stream().map(l -> l.getClass().getSimpleName()).toList());
        Node encoderInputs = model.inputs().get(0), decoderInputs = model.inputs().get(1);
        List<Node> encoderOutputs = model.getLayer(2).calls().get(0).outputs();
        Model encoderModel = new Model(encoderInputs, encoderOutputs.subList(1, 3));
        Layer decoderLstm = model.getLayer(3), decoderDense = model.getLayer(4);
        assertSame(decoderInputs, decoderLstm.calls().get(0).inputs().get(0));
        Input stateH = Input.shape(LATENT), stateC = Input.shape(LATENT);
        Node d = decoderLstm.apply(List.of(decoderInputs, stateH, stateC));
        Node probs = decoderDense.apply(d.get(0));
        Model decoderModel = new Model(List.of(decoderInputs, stateH, stateC), List.of(probs, d.get(1), d.get(2)));

        // teacher-forced through the step model, one character at a time: the full model's outputs, step by step
        int n = 6, vocab = outChars.length();
        Tensor full = trained.predictAll(List.of(enc.slice(0, n), dec.slice(0, n)), 32, null).get(0);
        List<Tensor> states = encoderModel.predictAll(List.of(enc.slice(0, n)), 32, null);
        for (int t = 0; t < td; t++) {
            Tensor step = Tensor.zeros(n, 1, vocab);
            for (int i = 0; i < n; i++) for (int k = 0; k < vocab; k++) step.data()[i * vocab + k] = dec.get(i, t, k);
            List<Tensor> out = decoderModel.predictAll(List.of(step, states.get(0), states.get(1)), 32, null);
            float[] want = new float[n * vocab];
            for (int i = 0; i < n; i++) for (int k = 0; k < vocab; k++) want[i * vocab + k] = full.get(i, t, k);
            close("step " + t, want, out.get(0).toArray(), 1e-5);
            states = out.subList(1, 3);
        }

        // decode_sequence: greedy, from "\t" until "\n" or the longest target; each pick is the full model's argmax
        // when the decoded prefix is fed back to it
        for (int i = 0; i < n; i++) {
            String decoded = decodeSequence(encoderModel, decoderModel, enc.slice(i, i + 1));
            String prefix = "\t" + decoded;
            Tensor x = Tensor.zeros(1, prefix.length(), vocab);
            for (int t = 0; t < prefix.length(); t++) x.data()[t * vocab + outChars.indexOf(prefix.charAt(t))] = 1;
            Tensor p = trained.predictAll(List.of(enc.slice(i, i + 1), x), 32, null).get(0);
            StringBuilder again = new StringBuilder();
            for (int t = 0; t < decoded.length(); t++) {
                int best = 0;
                for (int k = 1; k < vocab; k++) if (p.get(0, t, k) > p.get(0, t, best)) best = k;
                again.append(outChars.charAt(best));
            }
            assertEquals(again.toString(), decoded, "sample " + i);
        }
    }

    static String decodeSequence(Model encoderModel, Model decoderModel, Tensor input) {
        List<Tensor> states = encoderModel.predictAll(List.of(input));
        int vocab = outChars.length();
        Tensor target = Tensor.zeros(1, 1, vocab);
        target.data()[outChars.indexOf('\t')] = 1;
        StringBuilder decoded = new StringBuilder();
        while (true) {
            List<Tensor> out = decoderModel.predictAll(List.of(target, states.get(0), states.get(1)));
            Tensor p = out.get(0);
            int best = 0;
            for (int k = 1; k < vocab; k++) if (p.get(0, 0, k) > p.get(0, 0, best)) best = k;
            char c = outChars.charAt(best);
            decoded.append(c);
            if (c == '\n' || decoded.length() > td) return decoded.toString();
            target = Tensor.zeros(1, 1, vocab);
            target.data()[best] = 1;
            states = out.subList(1, 3);
        }
    }

    /**
     * The token-level variant (padding 0, {@code Embedding(mask_zero=True)} on both sides, sparse categorical
     * cross-entropy and accuracy): Keras 3 averages each batch's loss over its valid decoder steps, the epoch's loss
     * over the batches by their sizes, and the accuracy over every valid step of the epoch.
     */
    @Test
    void maskedTokenSeq2SeqMatchesKerasMaskedLossAndAccuracy() throws IOException {
        Map<String, Tensor> r = TutorialReference.load("seq2seq_masked");
        Input src = Input.shape(-1), tgt = Input.shape(-1);
        Node encoder = new LSTM(6).name("enc").returnState(true).apply(new Embedding(8, 4).name("src_emb").maskZero(true).apply(src));
        Node decoder = new LSTM(6).name("dec").returnSequences(true).apply(List.of(new Embedding(8, 4).name("tgt_emb").maskZero(true)
                .apply(tgt), encoder.get(1), encoder.get(2)));
        Model m = new Model(List.of(src, tgt), new Dense(8).name("out").activation("softmax").apply(decoder));
        m.compile(new Adam(0.05), "sparse_categorical_crossentropy", "accuracy");
        // the reference's order: source embedding, encoder (3), target embedding, decoder (3), dense (2)
        List<String> order = List.of("src_emb/embeddings", "enc/kernel", "enc/recurrent_kernel", "enc/bias", "tgt_emb/embeddings",
                "dec/kernel", "dec/recurrent_kernel", "dec/bias", "out/kernel", "out/bias");
        List<Tensor> w = new ArrayList<>();
        for (String name : m.weightNames()) w.add(r.get("w" + order.indexOf(name.replace("/cell/", "/").replace(":0", ""))));
        m.setWeights(w);
        History h = m.fit(List.of(r.get("src"), r.get("tin")), List.of(r.get("tout")), new FitOptions().batchSize(8).epochs(3)
                .validationSplit(0.2).shuffle(false).verbose(0));
        close("loss", r.get("loss"), h.get("loss"), TOL);
        close("accuracy", r.get("accuracy"), h.get("accuracy"), TOL);
        close("val_loss", r.get("val_loss"), h.get("val_loss"), TOL);
        close("val_accuracy", r.get("val_accuracy"), h.get("val_accuracy"), TOL);
        // evaluate(batch_size=7) on all 40: the batches' masked means weighted by their sizes, the accuracy over all valid steps
        Map<String, Double> e = m.evaluateAll(List.of(r.get("src"), r.get("tin")), List.of(r.get("tout")), 7, null);
        close("evaluate, batches of 7", r.get("evaluate7"), List.of(e.get("loss"), e.get("accuracy")), TOL);
    }
}
