import dev.jrnn.Jrnn;
import dev.jrnn.layers.*;
import dev.jrnn.model.*;
import java.nio.file.*;
import java.util.*;

/**
 * jrnn's legacy .h5 files of make_nested_h5.py's model for check_jrnn_nested_h5.py (run by hand, not by the tests; the
 * layout is pinned in CI by NestedLegacyH5Test, which builds the same model). From the repo root, after test-compile:
 * java --add-modules jdk.incubator.vector -cp java/target/classes:$(cat cp.txt) MakeNestedH5.java FIXTURE_DIR OUT_DIR
 * (cp.txt: mvn -q -o dependency:build-classpath -Dmdep.outputFile=cp.txt -pl java); then, with nested_h5.txt and
 * nested_h5_x.npy copied to OUT_DIR: cd FIXTURE_DIR && /tmp/tester-repros/kpy.sh check_jrnn_nested_h5.py OUT_DIR
 * (it writes keras_from_jrnn.h5 / .txt, Keras' training and save of jrnn's file, into OUT_DIR).
 */
public class MakeNestedH5 {
    static Dense dense(int units, String name) { Dense d = new Dense(units); d.name(name); return d; }
    static BatchNormalization bn(String name) { BatchNormalization b = new BatchNormalization(); b.name(name); return b; }

    public static void main(String[] args) throws Exception {
        Jrnn.setBackend("cpu");
        Path fx = Path.of(args[0]), out = Path.of(args[1]);
        Input ii = Input.shape(4); ii.name("ii");
        Dense d1 = dense(3, "d1"), d2 = dense(2, "d2");
        Node a = d1.apply(ii);
        Model inner = new Model(ii, List.of(bn("bn1").apply(a), bn("bn2").apply(d2.apply(a))));
        inner.name("inner");
        d2.trainable(false);
        Input x = Input.shape(4); x.name("x");
        Node h = bn("bn3").apply(inner.applyAll(List.of(x)).get(0));
        Add add = new Add(); add.name("add");
        Model m = new Model(x, add.apply(dense(1, "out").apply(h), dense(1, "p").apply(x)));
        m.name("outer");
        m.loadWeights(fx.resolve("nested.h5"));
        m.save(out.resolve("jrnn_nested.h5"));
        m.saveWeights(out.resolve("jrnn_nested_weights.h5"));
        System.out.println("written");
    }
}
