import dev.jrnn.Jrnn;
import dev.jrnn.layers.*;
import dev.jrnn.model.*;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import java.nio.file.*;
import java.util.*;

/**
 * jrnn files of make_nested_keras.py's model for check_jrnn_nested.py (run by hand, not by the tests; the write order
 * of such a built model is pinned in CI by KerasNestingTest.jrnnBuiltAndTrainedNestedModelSavesKerasOptimizerOrder).
 * From the repo root, after test-compile: java --add-modules jdk.incubator.vector -cp java/target/classes:$(cat cp.txt)
 *   MakeFiles.java FIXTURE_DIR OUT_DIR
 * (cp.txt: mvn -q -o dependency:build-classpath -Dmdep.outputFile=cp.txt -pl java); then in OUT_DIR:
 * /tmp/tester-repros/kpy.sh FIXTURE_DIR/check_jrnn_nested.py loaded_compile.keras built.keras loaded.weights.h5 built.weights.h5
 * (with nested.txt copied there).
 */
public class MakeFiles {
    public static void main(String[] args) throws Exception {
        Jrnn.setBackend("cpu");
        Path fx = Path.of(args[0]), out = Path.of(args[1]);
        // 1. Keras' nested.keras loaded and saved again (compiled, Keras' optimizer state)
        Model k = Models.load(fx.resolve("nested.keras"));
        k.save(out.resolve("loaded_compile.keras"));
        k.saveWeights(out.resolve("loaded.weights.h5"));
        // 2. a jrnn-built model, Keras' save_weights loaded into it, saved as .keras and .weights.h5
        Map<String, Layer> layers = new HashMap<>();
        Input x = Input.shape(3); x.name("x");
        for (String n : List.of("e1:4", "e2:3", "u1:2", "p:2", "head:1")) {
            Dense d = new Dense(Integer.parseInt(n.substring(n.indexOf(':') + 1))); d.name(n.substring(0, n.indexOf(':'))); layers.put(d.name(), d);
        }
        Model enc = new Model(x, List.of(layers.get("e2").apply(layers.get("e1").apply(x)), layers.get("u1").apply(x)));
        enc.name("enc");
        Input a = Input.shape(3), b = Input.shape(3); a.name("a"); b.name("b");
        Concatenate cat = new Concatenate(); cat.name("cat");
        Node joined = cat.apply(layers.get("p").apply(a), enc.applyAll(List.of(a)).get(0), enc.applyAll(List.of(b)).get(0));
        Model m = new Model(List.of(a, b), layers.get("head").apply(joined));
        m.name("outer");
        m.loadWeights(fx.resolve("nested.weights.h5"));
        m.save(out.resolve("built.keras"));
        m.saveWeights(out.resolve("built.weights.h5"));
        System.out.println("written");
    }
}
