// jrnn's model.save of the Keras files of this folder (KerasCallsTest): same.keras and renamed.keras loaded, saved as
// jrnn_<n>.keras and jrnn_<n>.h5; and one model built in jrnn, new Model(List, Map) to a LinkedHashMap {"b_out": Dense
// "alpha", "a_out": Dense "zeta"} (in that order, not sorted), saved as jrnn_built.keras and jrnn_built.h5 with jrnn's own predictions and evaluations in
// jrnn_built.json (for check_jrnn_saves.py, which loads them in Keras 3.15.1). Run from this folder with jrnn on the class
// path: java --add-modules jdk.incubator.vector -cp "<jrnn classes and dependencies>" SaveDictBack.java
import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class SaveDictBack {
    public static void main(String[] a) throws Exception {
        Jrnn.setBackend("cpu");
        for (String n : List.of("same", "renamed")) {
            try (Model m = Models.load(Path.of(n + ".keras"))) {
                m.save(Path.of("jrnn_" + n + ".keras"));
                m.save(Path.of("jrnn_" + n + ".h5"));
            }
        }
        Input in = Input.shape(4).name("inp");
        Map<String, dev.jrnn.layers.Node> outs = new LinkedHashMap<>();   // in this order, which the saves keep (Keras' model.output)
        outs.put("b_out", new Dense(2).name("alpha").apply(in));
        outs.put("a_out", new Dense(1).activation("sigmoid").name("zeta").apply(in));
        try (Model m = new Model(List.of(in), outs)) {
            List<Tensor> w = new ArrayList<>();
            for (Tensor t : m.getWeights()) {   // fixed weights: 0.1, -0.2, 0.3, ... over each
                float[] v = new float[t.size()];
                for (int i = 0; i < v.length; i++) v[i] = (i % 2 == 0 ? 1 : -1) * 0.1f * (1 + i % 5);
                w.add(Tensor.of(v, t.shape()));
            }
            m.setWeights(w);
            m.compile(new SGD(0.1), Map.of("b_out", "mse", "a_out", "binary_crossentropy"), Map.of("b_out", 2.0, "a_out", 0.5),
                    Map.of("b_out", List.of("mae"), "a_out", List.of("accuracy")));
            Tensor x = Npy.read(Path.of("x.npy"));
            Map<String, Tensor> y = Map.of("b_out", Npy.read(Path.of("y_price.npy")), "a_out", Npy.read(Path.of("y_kind.npy")));
            Map<String, Object> r = new LinkedHashMap<>();
            Map<String, Tensor> p = m.predictDict(List.of(x));
            r.put("predict", Map.of("a_out", toList(p.get("a_out")), "b_out", toList(p.get("b_out"))));
            r.put("evaluate", m.evaluateAll(Map.of("inp", x), y));
            // sample_weight {"b_out": sw, "a_out": sw2}, by key as Keras takes it
            r.put("evaluate_sw", m.evaluateAll(Map.of("inp", x), y, 32, null, Map.of("b_out", Npy.read(Path.of("sw.npy")), "a_out", Npy.read(Path.of("sw2.npy")))));
            Files.writeString(Path.of("jrnn_built.json"), Json.write(r));
            m.save(Path.of("jrnn_built.keras"));
            m.save(Path.of("jrnn_built.h5"));
        }
    }

    private static List<Double> toList(Tensor t) {
        List<Double> r = new ArrayList<>();
        for (float f : t.toArray()) r.add((double) f);
        return r;
    }
}
