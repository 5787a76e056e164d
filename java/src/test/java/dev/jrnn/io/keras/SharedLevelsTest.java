package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Layer;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layers and nested models shared between the top model and a nested model (outside tester auditio, defect 1):
 * keras3_real/shared_levels.h5 and .keras (make_shared_levels.py, Keras 3.15.1), a Dense in nested model 'inner' and at
 * the top, nested model 'deep' in nested model 'mid' and at the top, functional model 'fin' in Sequential 'seq' and at
 * the top. jrnn refused the .h5 ("layer name 'shared_d' is used by model ...: rename one of them", "is used twice").
 * Keras' load_model builds each place as its own layer with its own group's weights (equal), trained apart afterwards:
 * jrnn does the same, the deeper copy named {@code <name>_1}. Keras cannot load its own .keras of such a model (the
 * weights are saved once); jrnn refuses it saying why.
 */
class SharedLevelsTest {
    /** Keras' places (make_shared_levels.py's PLACES) and jrnn's layer for each. */
    static final List<String[]> PLACES = List.of(new String[] {"inner/shared_d", "shared_d_1"}, new String[] {"shared_d", "shared_d"},
            new String[] {"mid/deep/deep_d", "deep_d_1"}, new String[] {"deep/deep_d", "deep_d"}, new String[] {"seq/fin/f_d", "f_d_1"},
            new String[] {"fin/f_d", "f_d"}, new String[] {"inner/in_d", "in_d"}, new String[] {"mid/mid_d", "mid_d"}, new String[] {"seq/s_d", "s_d"});
    static final int[] WIDTHS = {2, 3, 1, 2, 2, 3};

    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    static Path res(String name) { return GeneratedKerasFilesTest.resource("keras3_real/" + name); }

    /** A (4, 13) array of the six outputs side by side, split. */
    static List<Tensor> split(Tensor t) {
        List<Tensor> r = new ArrayList<>();
        int rows = t.shape()[0], cols = t.shape()[1], at = 0;
        for (int w : WIDTHS) {
            float[] v = new float[rows * w];
            for (int i = 0; i < rows; i++) System.arraycopy(t.data(), i * cols + at, v, i * w, w);
            r.add(Tensor.of(v, rows, w));
            at += w;
        }
        return r;
    }

    static void predictsAsKeras(Model m, String what) throws IOException {
        List<Tensor> want = split(Npy.read(res("shared_levels_pred.npy")));
        List<Tensor> got = m.predictAll(List.of(Npy.read(res("shared_levels_x.npy"))));
        for (int k = 0; k < want.size(); k++) KerasFixtures.assertClose(want.get(k).data(), got.get(k).data(), what + ", output " + k);
    }

    @Test
    void theH5LoadsEachPlaceAsItsOwnLayerAndTrainsThemApart() throws IOException {
        Tensor x = Npy.read(res("shared_levels_x.npy"));
        float[] after = Npy.read(res("shared_levels_after.npy")).data();
        try (Model m = Models.load(res("shared_levels.h5"))) {
            predictsAsKeras(m, "shared_levels.h5");
            Layer top = m.getLayer("shared_d"), nested = m.getLayer("shared_d_1");
            assertNotSame(top, nested);
            assertTrue(Arrays.equals(top.getWeights().get(0).data(), nested.getWeights().get(0).data()), "equal weights, as saved");
            m.compile(new SGD().learningRate(0.1), "mse");
            double loss = m.trainOnBatch(List.of(x), split(Npy.read(res("shared_levels_y.npy"))));
            assertEquals(after[0], loss, 2e-5 * Math.abs(after[0]), "loss");
            int at = 1;
            for (String[] p : PLACES) {
                for (Tensor w : m.getLayer(p[1]).getWeights()) {
                    KerasFixtures.assertClose(Arrays.copyOfRange(after, at, at + w.data().length), w.data(), p[0] + " (jrnn '" + p[1] + "')");
                    at += w.data().length;
                }
            }
            assertEquals(after.length, at);
            assertFalse(Arrays.equals(top.getWeights().get(0).data(), nested.getWeights().get(0).data()), "trained apart");
            // saved again, the copies are layers of their own names: jrnn reads both files back to the same numbers
            List<Tensor> trained = m.predictAll(List.of(x));
            for (String f : List.of("again.keras", "again.h5")) {
                m.save(dir.resolve(f));
                try (Model back = Models.load(dir.resolve(f))) {
                    List<Tensor> got = back.predictAll(List.of(x));
                    for (int k = 0; k < trained.size(); k++) KerasFixtures.assertClose(trained.get(k).data(), got.get(k).data(), f + ", output " + k);
                }
            }
        }
    }

    /**
     * Two layers of one name at two levels (not shared): Keras loads them as two layers too. jrnn refused the config ("layer
     * name 'dense' is used by model 'inner' and by model 'outer'; ... rename one of them in Keras"). Keras 3.15.1's
     * model_from_json of the same config (with Keras 3's module keys): outer's layers ['dense', 'inner'], inner's
     * ['dense'], not the same object.
     */
    @Test
    void twoLayersOfOneNameAtTwoLevelsAreTwoLayers() {
        String dense = "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": %d}}";
        String json = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"outer\", \"layers\": [{\"class_name\": \"InputLayer\", "
                + "\"config\": {\"batch_shape\": [null, 4], \"name\": \"in\"}}, " + dense.formatted(2) + ", {\"class_name\": \"Sequential\", "
                + "\"config\": {\"name\": \"inner\", \"layers\": [" + dense.formatted(3) + "]}}]}}";
        try (Model m = Models.fromJson(json)) {
            assertEquals(List.of("dense", "dense_1"), m.layers().stream().map(Layer::name).toList());
            assertEquals(List.of(1, 3), Arrays.stream(m.predict(Tensor.zeros(1, 4)).shape()).boxed().toList());
        }
    }

    /** Keras 3.15.1 refuses its own .keras of the model ("Layer 'shared_d' expected 2 variables, but received 0"). */
    @Test
    void theKerasFileIsRefusedSayingTheLayerIsSharedAcrossLevels() {
        IOException e = assertThrows(IOException.class, () -> Models.load(res("shared_levels.keras")));
        String msg = e.getMessage();
        assertTrue(msg.contains("layer 'shared_d' of the top model has no weights in the file, and a layer of that name is in nested"
                + " model 'inner': a layer (or nested model) shared between the top model and a nested model"), msg);
        assertTrue(msg.contains("\"Layer 'shared_d' expected 2 variables, but received 0\"); save the model as .h5 in Keras"), msg);
    }

    /** A model's one output on {@code name}_x.npy against Keras' {@code name}_pred.npy. */
    static void predictsAs(Model m, String name, String what) throws IOException {
        Tensor got = m.predict(Npy.read(res(name + "_x.npy")));
        float[] want = Npy.read(res(name + "_pred.npy")).data();
        assertEquals(want.length, got.data().length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got.data()[i], 1e-4, what + " [" + i + "]");
    }

    /**
     * DIFFERENT layers of one name, equal shapes, other weights (make_diff_levels.py, Keras 3.15.1): nested-first
     * ('inner/dense' then the top's 'dense'), top-first ('head' then 'inner2/head') and siblings at one depth
     * ('enc/proj', 'dec/proj'). Each copy must take its own group's weights: a swap changes the predictions.
     */
    @Test
    void differentLayersOfOneNameTakeTheirOwnWeightsFromH5AndKeras() throws IOException {
        for (String ext : List.of(".h5", ".keras")) {
            try (Model m = Models.load(res("diff_levels" + ext))) {
                predictsAs(m, "diff_levels", "diff_levels" + ext);
                // a copy's name is the file's or <name>_1 (which copy keeps it: GUIDE 'Nested models')
                List<String> names = m.layers().stream().map(Layer::name).toList();
                for (String n : List.of("dense", "dense_1", "head", "head_1", "proj", "proj_1")) assertTrue(names.contains(n), ext + ": " + names);
            }
        }
    }

    /**
     * LoRA in a legacy .h5 (make_lora_shared.py, Keras 3.15.1): Dense 'shared' with enable_lora(2) shared between the
     * top model and nested 'inner' (inner's copy named shared_1), and two different LoRA Dense 'lo' (inner's alpha 2,
     * the top's alpha 6). jrnn refused the file ("layer group 'inner' holds LoRA arrays of 'shared', but the config has
     * no layer 'shared' in that group that sets lora_rank"), and keyed the LoRA settings by name, so one 'lo' would take
     * the other's alpha. The reference is the saving model's predictions (GUIDE: LoRA, Keras' reload reads alpha 2).
     */
    @Test
    void aSharedLoraLayerAndTwoLoraLayersOfOneNameLoadAsTheSavingModel() throws IOException {
        try (Model m = Models.load(res("lora_shared.h5"))) {
            predictsAs(m, "lora_shared", "lora_shared.h5");
        }
    }
}
