package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recurrent layers wired as a Keras user wires them, against Keras 3's semantics written out in numpy float64
 * ({@code make_recurrent_semantics_golden.py} beside this test's resources, which says which Keras source each
 * rule comes from): a masked Bidirectional sequence feeding another recurrent layer, a masked sequence loss and
 * metric, the gradients of two small models (encoder states seeding a decoder; a Bidirectional's states and its
 * masked merged sequence) by float64 central differences through the whole model, and the Keras seq2seq
 * tutorial's inference models, which share the trained layers. The layers' own numbers and gradients are in
 * RecurrentLayerTest, BidirectionalTest and the check package.
 *
 * <p>Weights and inputs are {@code 0.5 sin(1.3 k + seed)} (as float32), so the script needs nothing from jrnn.
 */
class RecurrentKerasSemanticsTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(1);
        Jrnn.clearSession();
    }

    static float[] det(int n, int seed) {
        float[] r = new float[n];
        for (int k = 0; k < n; k++) r[k] = (float) (0.5 * Math.sin(1.3 * k + seed));
        return r;
    }

    /** The layer's weights in Keras order (kernel, recurrent_kernel, bias), from det(.., seed), det(.., seed + 1), ... */
    static void setDet(Layer l, int seed) {
        List<Tensor> ws = new ArrayList<>();
        for (Param p : l.params()) {
            int n = 1;
            for (int d : p.shape()) n *= d;
            ws.add(Tensor.of(det(n, seed++), p.shape()));
        }
        l.setWeights(ws);
    }

    /** (3, 5, 2): sample 0 post-padded (3 real steps), sample 1 pre-padded (3), sample 2 all padding (0 = Masking's value). */
    static Tensor padded() {
        float[] x = det(30, 5);
        for (int s = 0; s < 3; s++)
            for (int t = 0; t < 5; t++) {
                if (s == 2 || (s == 0 && t >= 3) || (s == 1 && t < 2)) x[(s * 5 + t) * 2] = x[(s * 5 + t) * 2 + 1] = 0;
            }
        return Tensor.of(x, 3, 5, 2);
    }

    static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": size");
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tol, what + " [" + i + "]");
    }

    @Test
    void aMaskedBidirectionalSequenceCarriesItsMaskIntoTheNextLayer() {
        // Masking -> Bidirectional(LSTM(3, return_sequences)) -> LSTM(2, return_state): the second LSTM skips the
        // padding (Keras' Bidirectional.compute_mask passes the mask on with return_sequences), so sample 2, all
        // padding, ends at the zero states, and sample 1 starts at its first real step
        Input x = Input.shape(5, 2);
        Bidirectional bi = new Bidirectional(new LSTM(3).returnSequences(true));
        LSTM top = new LSTM(2).returnState(true);
        Model m = new Model(x, top.apply(bi.apply(new Masking(0.0).apply(x))).all());
        setDet(bi.forwardLayer(), 40);
        setDet(bi.backwardLayer(), 50);
        setDet(top, 140);
        List<Tensor> yhc = m.predictAll(List.of(padded()), 32, null);
        assertClose(BI_THEN_LSTM_Y, yhc.get(0).data(), 1e-6, "y");
        assertClose(BI_THEN_LSTM_H, yhc.get(1).data(), 1e-6, "h");
        assertClose(BI_THEN_LSTM_C, yhc.get(2).data(), 1e-6, "c");
    }

    @Test
    void aMaskedSequenceLossAndItsMetricCountOnlyTheRealSteps() {
        // Keras 3's apply_mask: the loss is the mean over the real steps (sample weights times the mask); a metric of
        // compile(metrics=...) takes the mask too, but not the sample weights (those are weighted_metrics')
        Input x = Input.shape(5, 2);
        LSTM lstm = new LSTM(3).returnSequences(true);
        Dense dense = new Dense(1);
        Model m = new Model(x, dense.apply(lstm.apply(new Masking(0.0).apply(x))));
        setDet(lstm, 30);
        setDet(dense, 150);
        m.compile("sgd", "mse", "mae");
        Tensor y = Tensor.of(det(15, 151), 3, 5, 1);
        Map<String, Double> plain = m.evaluateAll(List.of(padded()), List.of(y), 32, null);
        assertEquals(MASKED_LOSS_MAE_WEIGHTEDLOSS[0], plain.get("loss"), 1e-6);
        assertEquals(MASKED_LOSS_MAE_WEIGHTEDLOSS[1], plain.get("mae"), 1e-6);
        Map<String, Double> weighted = m.evaluateAll(List.of(padded()), List.of(y), 32, null, Tensor.of(new float[] {1, 2, 3}, 3));
        assertEquals(MASKED_LOSS_MAE_WEIGHTEDLOSS[2], weighted.get("loss"), 1e-6);
        assertEquals(MASKED_LOSS_MAE_WEIGHTEDLOSS[1], weighted.get("mae"), 1e-6);
    }

    @Test
    void encoderStatesSeedingADecoderGiveTheFloat64Gradients() {
        // Masking -> LSTM(3, return_state) encoder; LSTM(3, return_sequences) decoder from initial_state=[h, c];
        // Dense(2); outputs [dense, encoder c], both mse: the gradient reaches the encoder through h and c
        Input enc = Input.shape(5, 2), dec = Input.shape(3, 2);
        LSTM encoder = new LSTM(3).returnState(true), decoder = new LSTM(3).returnSequences(true);
        Dense dense = new Dense(2);
        Node states = encoder.apply(new Masking(0.0).apply(enc));
        Node y = dense.apply(decoder.apply(dec, states.get(1), states.get(2)));
        Model m = new Model(List.of(enc, dec), List.of(y, states.get(2)));
        setDet(encoder, 300);
        setDet(decoder, 310);
        setDet(dense, 320);
        assertGradients(m, Tensor.of(det(9, 400), 3, 3), SEQ2SEQ_LOSS[0], SEQ2SEQ_GRAD_0, SEQ2SEQ_GRAD_1, SEQ2SEQ_GRAD_2,
                SEQ2SEQ_GRAD_3, SEQ2SEQ_GRAD_4, SEQ2SEQ_GRAD_5, SEQ2SEQ_GRAD_6, SEQ2SEQ_GRAD_7);
    }

    @Test
    void bidirectionalStatesAndItsMaskedMergedSequenceGiveTheFloat64Gradients() {
        // Masking -> Bidirectional(GRU(3, return_sequences, return_state), merge_mode="sum"); a GRU(3, return_sequences,
        // go_backwards) from the backward h; Dense(2); outputs [dense, the merged sequence (its loss masked)], both mse
        Input enc = Input.shape(5, 2), dec = Input.shape(3, 2);
        Bidirectional bi = new Bidirectional(new GRU(3).returnSequences(true).returnState(true)).mergeMode("sum");
        GRU decoder = new GRU(3).returnSequences(true).goBackwards(true);
        Dense dense = new Dense(2);
        Node merged = bi.apply(new Masking(0.0).apply(enc));
        Node y = dense.apply(decoder.apply(dec, merged.get(2)));
        Model m = new Model(List.of(enc, dec), List.of(y, merged));
        setDet(bi.forwardLayer(), 300);
        setDet(bi.backwardLayer(), 310);
        setDet(decoder, 320);
        setDet(dense, 330);
        assertGradients(m, Tensor.of(det(45, 400), 3, 5, 3), BIDIRECTIONAL_LOSS[0], BIDIRECTIONAL_GRAD_0, BIDIRECTIONAL_GRAD_1,
                BIDIRECTIONAL_GRAD_2, BIDIRECTIONAL_GRAD_3, BIDIRECTIONAL_GRAD_4, BIDIRECTIONAL_GRAD_5, BIDIRECTIONAL_GRAD_6,
                BIDIRECTIONAL_GRAD_7, BIDIRECTIONAL_GRAD_8, BIDIRECTIONAL_GRAD_9, BIDIRECTIONAL_GRAD_10);
    }

    /**
     * One SGD(1) step on the padded encoder input and a (3, 3, 2) decoder input: the loss before it, and each weight's
     * change, which is minus its gradient, against the float64 central differences. Float32 keeps them to ~2e-5 of each
     * weight's largest gradient; a gradient lost on the way (a state output's, a masked step's) is off by far more.
     */
    private static void assertGradients(Model m, Tensor target2, float loss, float[]... grads) {
        m.compile(new SGD(1.0), List.of("mse", "mse"));
        List<Tensor> before = m.getWeights();
        assertEquals(grads.length, before.size());
        double got = m.trainOnBatch(List.of(padded(), Tensor.of(det(18, 401), 3, 3, 2)),
                List.of(Tensor.of(det(18, 402), 3, 3, 2), target2));
        assertEquals(loss, got, 1e-6, "loss");
        List<Tensor> after = m.getWeights();
        for (int i = 0; i < grads.length; i++) {
            float[] a = before.get(i).data(), b = after.get(i).data(), g = new float[a.length];
            for (int k = 0; k < a.length; k++) g[k] = a[k] - b[k];
            float scale = 0;
            for (float v : grads[i]) scale = Math.max(scale, Math.abs(v));
            assertClose(grads[i], g, 1e-4 * scale, m.weightNames().get(i));
        }
    }

    /**
     * One SGD(1) step of {@code m} (mse on every output): the loss before it, and each weight's change, which is minus its
     * gradient, to 1e-6 of the float64 references.
     */
    static void assertSgdStep(Model m, List<Tensor> xs, List<Tensor> ys, float loss, float[]... grads) {
        m.compile(new SGD(1.0), java.util.Collections.nCopies(ys.size(), "mse"));
        List<Tensor> before = m.getWeights();
        assertEquals(grads.length, before.size(), "weights");
        assertEquals(loss, m.trainOnBatch(xs, ys), 1e-6, "loss");
        List<Tensor> after = m.getWeights();
        for (int i = 0; i < grads.length; i++) {
            float[] a = before.get(i).data(), b = after.get(i).data(), g = new float[a.length];
            for (int k = 0; k < a.length; k++) g[k] = a[k] - b[k];
            assertClose(grads[i], g, 1e-6, m.weightNames().get(i));
        }
    }

    @Test
    void theSeq2seqTutorialsInferenceModelsDecodeStepByStepAsTheTrainingModel() {
        // keras.io's lstm_seq2seq: a training model, then encoder_model = Model(encoder_inputs, encoder_states) and
        // decoder_model = Model([decoder_inputs] + decoder_states_inputs, [decoder_outputs] + decoder_states), calling the
        // trained decoder LSTM and Dense again; fed one step at a time with its own states, the decoder gives the training
        // model's (teacher-forced) outputs
        Input encIn = Input.shape(-1, 3), decIn = Input.shape(-1, 4);
        Node enc = new LSTM(5).returnState(true).apply(encIn);
        LSTM decoderLstm = new LSTM(5).returnSequences(true).returnState(true);
        Dense decoderDense = new Dense(4).activation("softmax");
        Node out = decoderDense.apply(decoderLstm.apply(decIn, enc.get(1), enc.get(2)));
        Model model = new Model(List.of(encIn, decIn), out);
        model.compile("rmsprop", "categorical_crossentropy", "accuracy");
        Tensor xe = Tensor.of(det(6 * 7 * 3, 1), 6, 7, 3), xd = Tensor.of(det(6 * 5 * 4, 2), 6, 5, 4);
        float[] onehot = new float[6 * 5 * 4];
        for (int i = 0; i < 30; i++) onehot[i * 4 + i % 4] = 1;
        model.fit(List.of(xe, xd), List.of(Tensor.of(onehot, 6, 5, 4)), new FitOptions().epochs(2).batchSize(2).verbose(0));

        Model encoderModel = new Model(encIn, List.of(enc.get(1), enc.get(2)));
        Input hIn = Input.shape(5), cIn = Input.shape(5);
        Node dec = decoderLstm.apply(decIn, hIn, cIn);
        Model decoderModel = new Model(List.of(decIn, hIn, cIn), List.of(decoderDense.apply(dec), dec.get(1), dec.get(2)));
        assertEquals(model.countParams(), encoderModel.countParams() + decoderModel.countParams(), "the same weights");

        float[] teacherForced = model.predictAll(List.of(xe, xd), 32, null).get(0).data();
        List<Tensor> states = encoderModel.predictAll(List.of(xe), 32, null);
        for (int t = 0; t < 5; t++) {
            float[] step = new float[6 * 4];
            for (int s = 0; s < 6; s++) System.arraycopy(xd.data(), (s * 5 + t) * 4, step, s * 4, 4);
            List<Tensor> r = decoderModel.predictAll(List.of(Tensor.of(step, 6, 1, 4), states.get(0), states.get(1)), 32, null);
            states = r.subList(1, 3);
            for (int s = 0; s < 6; s++)
                for (int k = 0; k < 4; k++) {
                    assertEquals(teacherForced[(s * 5 + t) * 4 + k], r.get(0).data()[s * 4 + k], 1e-6, "sample " + s + " step " + t);
                }
        }
        assertTrue(decoderModel.summaryString().contains("'lstm_1[1][0]'"), "the Dense's second call reads the LSTM's second");
    }

    // ---- pasted from make_recurrent_semantics_golden.py's output
    static final float[] BI_THEN_LSTM_Y = {0.0770548298f, -0.161304311f, 0.0776063872f, -0.157952528f, 0f, 0f};
    static final float[] BI_THEN_LSTM_H = {0.0770548298f, -0.161304311f, 0.0776063872f, -0.157952528f, 0f, 0f};
    static final float[] BI_THEN_LSTM_C = {0.21401473f, -0.304533622f, 0.212445714f, -0.299457947f, 0f, 0f};
    static final float[] MASKED_LOSS_MAE_WEIGHTEDLOSS = {0.101500544f, 0.275607344f, 0.135061135f};
    static final float[] SEQ2SEQ_LOSS = {0.393834816f};
    static final float[] SEQ2SEQ_GRAD_0 = {-0.00313777626f, 0.000174990411f, -0.00448741067f, -0.00235715192f, -2.17462715e-05f, -0.0031506858f, -0.0205993689f, -0.0145041721f, 0.0134779689f, 0.00211158185f, -0.000194285088f, -0.00196339905f, -0.00423467811f, 0.000400372346f, -0.00523559196f, -0.00434579733f, 1.38274669e-05f, -0.00481871046f, -0.0231555585f, -0.0210460296f, 0.0189831312f, 0.00143083306f, -8.48943138e-06f, -0.00127388231f};
    static final float[] SEQ2SEQ_GRAD_1 = {0.00340839265f, -0.000133035832f, 0.00289546931f, 0.00253699314f, -2.9738545e-05f, 0.00229138886f, 0.0143024778f, 0.00729358379f, -0.011419729f, 0.000555396729f, -3.43403084e-06f, -0.000471988226f, -0.00100525638f, -3.78902465e-06f, -0.000612201428f, -0.000532948768f, 1.22776234e-05f, -0.000347938262f, -0.00330760888f, -0.000338719691f, 0.00253364527f, -0.000527194455f, -2.16959783e-06f, 0.000451829518f, -0.00490681007f, 0.000212720092f, -0.00430450312f, -0.00375601811f, 4.15820711e-05f, -0.00346788107f, -0.0210618288f, -0.0114981354f, 0.0168753367f, -0.000614770845f, 5.50240409e-06f, 0.000519135956f};
    static final float[] SEQ2SEQ_GRAD_2 = {0.0292034852f, -0.000607599998f, 0.0244969604f, 0.0185352738f, -0.00022058122f, 0.0166078795f, 0.123179779f, 0.0490792517f, -0.0910088417f, 0.00518364685f, 0.000384330845f, -0.00417310547f};
    static final float[] SEQ2SEQ_GRAD_3 = {-0.00194170932f, -0.0011346511f, 0.000865980121f, 0.000210765794f, -0.000276847323f, 0.000204021272f, 0.00751401438f, -0.004186893f, 0.00536379302f, -0.00132981878f, -0.00223130683f, 0.00261177568f, -0.000295953678f, -0.00054474017f, 0.00149626705f, 0.000330224376f, -0.000444954684f, 0.00121786042f, 0.00245547729f, -0.0038904506f, 0.0061920514f, -0.000208562917f, -0.00158004243f, 0.00350358328f};
    static final float[] SEQ2SEQ_GRAD_4 = {-0.000225178709f, 5.93488592e-05f, -0.000327500194f, 0.000346910917f, 1.84890159e-05f, 0.000303972514f, 0.00123723787f, 0.000244830933f, -0.00137327794f, 5.74482129e-06f, -4.73343864e-05f, 3.70451725e-05f, -0.000240890752f, 1.58886515e-05f, -0.000317766868f, 6.20968832e-05f, 3.5488612e-05f, -0.000154869673f, 0.000974353626f, 0.000267503852f, -0.00125681421f, -0.000119204507f, 1.31903655e-05f, -0.000453001553f, -9.06383857e-05f, -8.31012481e-05f, -5.11407583e-06f, -0.000359843377f, 4.24009994e-05f, -0.000644350379f, -0.000304168413f, 6.58949839e-05f, 0.000245887366f, -0.00021084412f, 5.4963839e-05f, -0.000632419062f};
    static final float[] SEQ2SEQ_GRAD_5 = {-0.00587356702f, 0.00163091268f, -0.00927966698f, 0.00205268108f, 0.000459291799f, -0.000747411133f, 0.0266857171f, 0.00753106655f, -0.0397687164f, -0.00292953317f, 0.00178237791f, -0.0105365122f};
    static final float[] SEQ2SEQ_GRAD_6 = {-0.0124170596f, -0.0234478009f, 0.0130402636f, 0.0216290295f, 0.0263783818f, 0.043660316f};
    static final float[] SEQ2SEQ_GRAD_7 = {0.20943969f, 0.404838734f};
    static final float[] BIDIRECTIONAL_LOSS = {0.480318091f};
    static final float[] BIDIRECTIONAL_GRAD_0 = {0.00199579273f, -0.00307300893f, 0.00424789012f, -0.00135956807f, -0.000525073124f, -0.000564727126f, -0.00968851968f, -0.00619525597f, 0.00596383634f, -0.000542833556f, -0.00284191298f, 0.00311604645f, -7.41449124e-05f, 0.000245760801f, -0.000398504729f, -0.000193485006f, 0.00403535533f, 0.00400583794f};
    static final float[] BIDIRECTIONAL_GRAD_1 = {0.000566951042f, -0.0010230215f, -0.0025374024f, -0.000381172371f, 0.000592788318f, 0.000251500099f, -0.00101479092f, 0.00207924225f, -0.00162891622f, -0.000106176817f, 0.00028552849f, -0.000432224256f, 7.84025067e-05f, -4.25453561e-05f, 6.14704398e-05f, 0.000187836108f, -0.000192116711f, -0.000354247798f, -0.000721825211f, 0.0013197986f, 0.00188395788f, 0.000471345796f, -0.000631327518f, -0.000162937913f, 0.00120863031f, -0.0022606933f, 0.00111302295f};
    static final float[] BIDIRECTIONAL_GRAD_2 = {0.00231453101f, -0.00131850683f, -0.00865195343f, -0.00153944901f, 0.00385242266f, 0.000703755054f, -0.00979302428f, 0.0504362305f, -0.00828835064f, 0.00231453101f, -0.00131850683f, -0.00865195343f, -0.00153944901f, 0.00385242266f, 0.000703755054f, -0.00383753418f, 0.014997395f, -0.00557912722f};
    static final float[] BIDIRECTIONAL_GRAD_3 = {-6.59833299e-06f, 0.00481183099f, -0.00531783761f, 0.00204349188f, -0.000102405057f, 0.0010003165f, -0.0351829567f, -0.00523191288f, 0.0182270512f, 0.000955863777f, 0.00372917694f, -0.00451749385f, -0.000160196884f, -0.000712341519f, 0.000517578813f, 0.00045380763f, 0.00432164315f, 0.00611534823f};
    static final float[] BIDIRECTIONAL_GRAD_4 = {0.00203461409f, -0.000376109088f, -0.000661088795f, 0.00118937676f, 0.0013270853f, 0.000122174548f, -0.0171170507f, -0.0137425206f, 0.00192183053f, -0.000382193222f, 0.0021605252f, -0.000523127708f, 0.0003057678f, -0.000622351781f, 0.000174540993f, -0.00269442596f, 0.00564630634f, 0.00141369524f, -0.00151964302f, 1.99981698e-05f, 0.000540705536f, -0.000945097389f, -0.00096057326f, -0.000111434528f, 0.0133898634f, 0.010048448f, -0.00161779112f};
    static final float[] BIDIRECTIONAL_GRAD_5 = {-0.00646175999f, -0.00222121629f, 0.0101823944f, -0.00222139571f, -0.00355357627f, -0.00141751494f, 0.0527217872f, 0.0738115031f, -0.0260403301f, -0.00646175999f, -0.00222121629f, 0.0101823944f, -0.00222139571f, -0.00355357627f, -0.00141751494f, 0.0344455783f, 0.0438141939f, -0.00740690118f};
    static final float[] BIDIRECTIONAL_GRAD_6 = {-0.00237718573f, 0.00313294388f, -0.000127786698f, -0.00111267637f, -0.00033267053f, 0.000948797652f, -0.00730858876f, 0.00519213819f, -0.00968569816f, -0.00436562211f, 0.0013710944f, -0.00236136596f, 0.000516841681f, 0.000302376624f, 0.0008605896f, 0.00887651605f, 0.000260968136f, -0.00791419288f};
    static final float[] BIDIRECTIONAL_GRAD_7 = {0.00621207191f, 0.000281070139f, 0.00632292269f, -0.00175005208f, -3.69153597e-05f, -0.00130074201f, -0.00682395077f, 0.000216354323f, 0.0106803112f, -0.0020157718f, 0.00027801958f, -0.00288454313f, 0.000839548181f, -0.000141305995f, 2.18027263e-05f, 0.00183679111f, 0.00074851253f, 2.19951557e-05f, -0.00288901766f, 0.00108531686f, -0.00376010006f, 0.000815432138f, -0.000380603132f, -0.000224848584f, 0.000777630765f, 0.00196017977f, 0.00192224908f};
    static final float[] BIDIRECTIONAL_GRAD_8 = {-0.0231993546f, -0.00561993199f, -0.0268805335f, 0.00922751453f, 0.000808836637f, 0.00853890697f, 0.122688147f, -0.00682181869f, -0.0967844127f, -0.0231993546f, -0.00561993199f, -0.0268805335f, 0.00922751453f, 0.000808836637f, 0.00853890697f, 0.0390114974f, -0.00465557545f, -0.066166366f};
    static final float[] BIDIRECTIONAL_GRAD_9 = {0.0147448596f, 0.0197693182f, 0.10831176f, 0.0889445316f, 0.201102005f, 0.130566218f};
    static final float[] BIDIRECTIONAL_GRAD_10 = {-0.585203291f, -0.36181003f};
}
