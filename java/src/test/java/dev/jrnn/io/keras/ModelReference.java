package dev.jrnn.io.keras;

import dev.jrnn.io.Json;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The float64 forward pass of a jrnn model by {@link KerasReference}: the model's Keras config (as
 * {@link KerasExport} writes it) and its current weights, run through plain loops that share no code with the
 * layers. For tests outside this package (the property suite).
 */
public final class ModelReference {
    private ModelReference() {}

    /** The model's outputs for these inputs, in float64, flattened row-major; one array per output. */
    public static List<double[]> predict(Model model, Tensor... inputs) {
        Map<?, ?> config = (Map<?, ?>) Json.parse(Json.write(KerasExport.modelConfig(model)));
        Map<String, List<double[]>> weights = new HashMap<>();
        Map<String, List<int[]>> shapes = new HashMap<>();
        for (Layer l : model.layers()) {
            List<double[]> ws = new ArrayList<>();
            List<int[]> ss = new ArrayList<>();
            for (Param p : l.params()) {
                Tensor t = p.get();
                float[] f = t.data();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) d[i] = f[i];
                ws.add(d);
                ss.add(t.shape());
            }
            weights.put(l.name(), ws);
            shapes.put(l.name(), ss);
        }
        List<KerasReference.Arr> in = new ArrayList<>();
        for (Tensor x : inputs) {
            float[] f = x.data();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            in.add(new KerasReference.Arr(x.shape(), d));
        }
        List<double[]> out = new ArrayList<>();
        for (KerasReference.Arr a : new KerasReference(config, weights, shapes, true).predict(in)) out.add(a.d());
        return out;
    }
}
