import dev.jrnn.Jrnn;
import dev.jrnn.layers.*;
import dev.jrnn.model.*;
import dev.jrnn.tensor.Tensor;
import java.nio.file.*;
import java.util.*;

/**
 * Generator of flat_old.h5 (NestedLegacyH5Test): the .h5 that jrnn up to session 34 wrote of a model calling a nested
 * functional model, flat (layer_names [x, d1, a1, p, a2, q, add]), where the nested model 'inner' and the top-level 'p'
 * each have one layer with weights of one shape. Run with that jrnn (/tmp/tester-repros/run.sh MakeFlatOldH5.java DIR);
 * writes DIR/flat_old.h5 and DIR/flat_old.txt (the model's predict on x[i][j] = sin(0.7 (4i + j) + 0.3), 3 x 4).
 */
public class MakeFlatOldH5 {
    static Dense dense(int u, String n) { Dense d = new Dense(u); d.name(n); return d; }

    static Model build() {
        Input ii = Input.shape(4); ii.name("ii");
        Activation a1 = new Activation("tanh"); a1.name("a1");
        Activation a2 = new Activation("tanh"); a2.name("a2");
        Model inner = new Model(ii, a2.apply(a1.apply(dense(2, "d1").apply(ii))));
        inner.name("inner");
        Input x = Input.shape(4); x.name("x");
        Node q = dense(2, "q").apply(dense(2, "p").apply(x));
        Add add = new Add(); add.name("add");
        Model m = new Model(x, add.apply(inner.applyAll(List.of(x)).get(0), q));
        m.name("outer");
        return m;
    }

    public static void main(String[] a) throws Exception {
        Jrnn.setBackend("cpu");
        float[] xs = new float[12];
        for (int i = 0; i < 12; i++) xs[i] = (float) Math.sin(0.7 * i + 0.3);
        Model m = build();
        m.save(Path.of(a[0], "flat_old.h5"));
        StringBuilder s = new StringBuilder("predict");
        for (float v : m.predict(Tensor.of(xs, 3, 4)).toArray()) s.append(' ').append(v);
        Files.writeString(Path.of(a[0], "flat_old.txt"), s + "\n");
    }
}
