package dev.jrnn.io.keras;

import dev.jrnn.io.Json;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent float64 forward pass of a Keras 2 / tf.keras HDF5 model, written from Keras' equations in plain
 * loops: it reads the config and the weights straight from the file (jhdf, model_weights/&lt;layer&gt;/weight_names)
 * and shares no code with the importer. Tensors are {@link Arr} (shape + row-major doubles); masks are per
 * (batch, timestep) booleans, propagated as Keras does.
 */
final class KerasReference {
    /** A dense double array. */
    record Arr(int[] shape, double[] d) {
        Arr(int... shape) { this(shape, new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)]); }
        int last() { return shape[shape.length - 1]; }
    }

    /** An output and its mask (null when none). */
    record Out(Arr x, boolean[][] mask) {}

    private final Map<String, List<double[]>> weights = new HashMap<>();
    private final Map<String, List<int[]>> shapes = new HashMap<>();
    private final Map<?, ?> config;
    private final boolean keras3Hs;

    KerasReference(Path file) {
        try (HdfFile h = new HdfFile(file)) {
            config = (Map<?, ?>) Json.parse((String) h.getAttribute("model_config").getData());
            String v = (String) h.getAttribute("keras_version").getData();
            keras3Hs = v.startsWith("3");
            Node mw = h.getChild("model_weights");
            for (String layer : strings(mw, "layer_names")) {
                Node g = ((io.jhdf.api.Group) mw).getChild(layer);
                List<double[]> ws = new ArrayList<>();
                List<int[]> ss = new ArrayList<>();
                for (String w : strings(g, "weight_names")) {
                    Dataset ds = ((io.jhdf.api.Group) g).getDatasetByPath(w);
                    Object flat = ds.getDataFlat();
                    double[] d;
                    if (flat instanceof float[] f) {
                        d = new double[f.length];
                        for (int i = 0; i < f.length; i++) d[i] = f[i];
                    } else {
                        d = (double[]) flat;
                    }
                    ws.add(d);
                    ss.add(ds.getDimensions());
                }
                weights.put(layer, ws);
                shapes.put(layer, ss);
            }
        }
    }

    /** A reference from a config in Keras' JSON schema and each layer's weights in Keras' order, by layer name. */
    KerasReference(Map<?, ?> config, Map<String, List<double[]>> weights, Map<String, List<int[]>> shapes, boolean keras3) {
        this.config = config;
        this.weights.putAll(weights);
        this.shapes.putAll(shapes);
        this.keras3Hs = keras3;
    }

    private static List<String> strings(Node n, String name) {
        List<String> r = new ArrayList<>();
        Attribute a = n.getAttribute(name);
        if (a != null) {
            if (!a.isEmpty() && a.getData() instanceof String[] s) r.addAll(Arrays.asList(s));
            return r;
        }
        for (int k = 0; n.getAttribute(name + k) != null; k++) r.addAll(Arrays.asList((String[]) n.getAttribute(name + k).getData()));
        return r;
    }

    Map<?, ?> config() { return config; }

    /** Per-sample input shapes (batch dropped, null as -1) of the model's inputs, in input order. */
    List<int[]> inputShapes() {
        List<int[]> r = new ArrayList<>();
        for (Map<?, ?> l : inputLayers()) r.add(batchShape(cfg(l)));
        return r;
    }

    private List<Map<?, ?>> inputLayers() {
        List<Map<?, ?>> r = new ArrayList<>();
        if (isSequential()) {
            Map<?, ?> first = seqLayers().get(0);
            r.add(first);
            return r;
        }
        Map<?, ?> c = cfg(config);
        for (Object ref : (List<?>) c.get("input_layers")) r.add(layerByName((String) ((List<?>) ref).get(0)));
        return r;
    }

    private boolean isSequential() { return "Sequential".equals(config.get("class_name")); }

    private List<Map<?, ?>> seqLayers() {
        Object c = config.get("config");
        List<?> l = c instanceof List<?> li ? li : (List<?>) ((Map<?, ?>) c).get("layers");
        List<Map<?, ?>> r = new ArrayList<>();
        for (Object o : l) r.add((Map<?, ?>) o);
        return r;
    }

    private Map<?, ?> layerByName(String n) {
        for (Object o : (List<?>) cfg(config).get("layers")) if (n.equals(((Map<?, ?>) o).get("name"))) return (Map<?, ?>) o;
        throw new IllegalStateException("no layer " + n);
    }

    private static Map<?, ?> cfg(Map<?, ?> spec) { return (Map<?, ?>) spec.get("config"); }

    private static int[] batchShape(Map<?, ?> c) {
        List<?> s = (List<?>) c.get(c.containsKey("batch_input_shape") ? "batch_input_shape" : "batch_shape");
        int[] r = new int[s.size() - 1];
        for (int i = 1; i < s.size(); i++) r[i - 1] = s.get(i) == null ? -1 : (int) (long) (Long) s.get(i);
        return r;
    }

    /** The model's outputs for these inputs. */
    List<Arr> predict(List<Arr> inputs) {
        if (isSequential()) {
            Out o = new Out(inputs.get(0), null);
            for (Map<?, ?> l : seqLayers()) {
                if (!"InputLayer".equals(l.get("class_name"))) o = apply(l, (String) cfg(l).get("name"), List.of(o)).get(0);
            }
            return List.of(o.x);
        }
        Map<String, List<List<Out>>> calls = new HashMap<>();
        List<?> specs = (List<?>) cfg(config).get("layers");
        List<?> ins = (List<?>) cfg(config).get("input_layers");
        for (int i = 0; i < ins.size(); i++) {
            calls.put((String) ((List<?>) ins.get(i)).get(0), new ArrayList<>(List.of(List.of(new Out(inputs.get(i), null)))));
        }
        boolean progress = true;
        Map<String, Integer> done = new HashMap<>();
        while (progress) {
            progress = false;
            for (Object o : specs) {
                Map<?, ?> l = (Map<?, ?>) o;
                String name = (String) l.get("name");
                if ("InputLayer".equals(l.get("class_name"))) continue;
                List<?> nodes = (List<?>) l.get("inbound_nodes");
                int k = done.getOrDefault(name, 0);
                while (k < nodes.size()) {
                    List<Out> args = new ArrayList<>();
                    for (Object ref : refs(nodes.get(k))) {
                        List<?> r = (List<?>) ref;
                        List<List<Out>> made = calls.get((String) r.get(0));
                        int ni = (int) (long) (Long) r.get(1);
                        if (made == null || made.size() <= ni) { args = null; break; }
                        args.add(made.get(ni).get((int) (long) (Long) r.get(2)));
                    }
                    if (args == null) break;
                    calls.computeIfAbsent(name, x -> new ArrayList<>()).add(apply(l, name, args));
                    done.put(name, ++k);
                    progress = true;
                }
            }
        }
        List<Arr> r = new ArrayList<>();
        for (Object ref : (List<?>) cfg(config).get("output_layers")) {
            List<?> rl = (List<?>) ref;
            r.add(calls.get((String) rl.get(0)).get((int) (long) (Long) rl.get(1)).get((int) (long) (Long) rl.get(2)).x);
        }
        return r;
    }

    /** A call's input refs: Keras 2 [[layer, node, tensor, kwargs], ...] or Keras 3 {"args": [keras tensors]}. */
    private static List<?> refs(Object call) {
        if (call instanceof List<?> l) return l;
        List<Object> r = new ArrayList<>();
        for (Object a : (List<?>) ((Map<?, ?>) call).get("args")) r.add(((Map<?, ?>) ((Map<?, ?>) a).get("config")).get("keras_history"));
        return r;
    }

    /** Vocabulary size when the model's first layer is an Embedding (inputs are ids), else 0. */
    int idVocabulary() {
        if (!isSequential()) return 0;
        for (Map<?, ?> l : seqLayers()) {
            if ("InputLayer".equals(l.get("class_name"))) continue;
            return "Embedding".equals(l.get("class_name")) ? (int) (long) (Long) cfg(l).get("input_dim") : 0;
        }
        return 0;
    }

    private List<Out> apply(Map<?, ?> spec, String weightsOf, List<Out> in) {
        String cls = (String) spec.get("class_name");
        Map<?, ?> c = cfg(spec);
        List<double[]> w = weights.getOrDefault(weightsOf, List.of());
        Out x = in.get(0);
        return switch (cls) {
            case "Dense" -> List.of(new Out(dense(x.x, w.get(0), w.size() > 1 ? w.get(1) : null, str(c, "activation")), x.mask));
            case "TimeDistributed" -> apply((Map<?, ?>) c.get("layer"), weightsOf, in);
            case "Activation" -> List.of(new Out(activate(x.x, str(c, "activation")), x.mask));
            case "Dropout" -> List.of(x);
            case "RepeatVector" -> List.of(new Out(repeat(x.x, (int) (long) (Long) c.get("n")), null));
            case "Masking" -> List.of(masking(x.x, ((Number) c.get("mask_value")).doubleValue()));
            case "Embedding" -> List.of(embedding(x.x, w.get(0), shapes.get(weightsOf).get(0)[1], Boolean.TRUE.equals(c.get("mask_zero"))));
            case "SimpleRNN", "LSTM", "GRU" -> rnn(cls, c, w, 0, x, false);
            case "Bidirectional" -> bidirectional(c, w, x);
            case "Flatten" -> List.of(new Out(new Arr(new int[] {x.x.shape[0], x.x.d.length / x.x.shape[0]}, x.x.d.clone()), null));
            case "LayerNormalization" -> List.of(new Out(layerNorm(x.x, c, w), x.mask));
            case "Add", "Multiply", "Average" -> List.of(elementwise(cls, in));
            case "Concatenate" -> List.of(concatenate(in, c.get("axis") == null ? -1 : (int) (long) (Long) c.get("axis")));
            default -> throw new IllegalStateException("reference has no " + cls);
        };
    }

    /** Normalization over the last axis; weights gamma (when scale) then beta (when center). */
    private static Arr layerNorm(Arr x, Map<?, ?> c, List<double[]> w) {
        boolean scale = !Boolean.FALSE.equals(c.get("scale")), center = !Boolean.FALSE.equals(c.get("center"));
        double eps = c.get("epsilon") == null ? 1e-3 : ((Number) c.get("epsilon")).doubleValue();
        double[] g = scale ? w.get(0) : null, b = center ? w.get(scale ? 1 : 0) : null;
        int f = x.last();
        Arr y = new Arr(x.shape);
        for (int r = 0; r < x.d.length / f; r++) {
            double mean = 0, var = 0;
            for (int j = 0; j < f; j++) mean += x.d[r * f + j] / f;
            for (int j = 0; j < f; j++) var += Math.pow(x.d[r * f + j] - mean, 2) / f;
            for (int j = 0; j < f; j++) {
                y.d[r * f + j] = (x.d[r * f + j] - mean) / Math.sqrt(var + eps) * (g == null ? 1 : g[j]) + (b == null ? 0 : b[j]);
            }
        }
        return y;
    }

    /**
     * Add, Multiply, Average of equal shapes, as Keras 3.4 and later (keras/src/layers/merging): the mask is the OR of
     * the masks, none when an input has none; Multiply takes an input's masked steps as 1 and, when every input has a
     * mask, outputs 0 at the steps none keeps.
     */
    private static Out elementwise(String cls, List<Out> in) {
        Arr y = new Arr(in.get(0).x.shape);
        boolean[][] m = orMasks(in);
        int b = y.shape[0], steps = y.shape.length > 1 ? y.shape[1] : 1, f = y.d.length / Math.max(1, b * steps);
        for (int i = 0; i < y.d.length; i++) {
            int row = i / f, bi = row / steps, t = row % steps;
            double v = cls.equals("Multiply") ? 1 : 0;
            for (Out o : in) {
                boolean masked = o.mask != null && !o.mask[bi][t];
                v = cls.equals("Multiply") ? v * (masked ? 1 : o.x.d[i]) : v + o.x.d[i];
            }
            if (cls.equals("Multiply") && m != null && !m[bi][t]) v = 0;
            y.d[i] = cls.equals("Average") ? v / in.size() : v;
        }
        return new Out(y, m);
    }

    private static boolean[][] orMasks(List<Out> in) {
        boolean[][] m = null;
        for (Out o : in) {
            if (o.mask == null) return null;
            if (m == null) {
                m = new boolean[o.mask.length][];
                for (int i = 0; i < m.length; i++) m[i] = o.mask[i].clone();
            } else {
                for (int i = 0; i < m.length; i++) for (int t = 0; t < m[i].length; t++) m[i][t] |= o.mask[i][t];
            }
        }
        return m;
    }

    /**
     * Concatenation of [B, T, F] inputs along axis 1 (time: masks side by side) or 2/-1 (features: the masks ORed, an
     * input without one counting as all ones, which keeps every step: none).
     */
    private static Out concatenate(List<Out> in, int axis) {
        int[] s = in.get(0).x.shape.clone();
        int a = axis < 0 ? axis + s.length : axis;
        s[a] = 0;
        for (Out o : in) s[a] += o.x.shape[a];
        Arr y = new Arr(s);
        int outer = 1;
        for (int d = 0; d < a; d++) outer *= s[d];
        int total = y.d.length / outer, off = 0;
        for (Out o : in) {
            int wdt = o.x.d.length / outer;
            for (int r = 0; r < outer; r++) System.arraycopy(o.x.d, r * wdt, y.d, r * total + off, wdt);
            off += wdt;
        }
        boolean[][] m = null;
        if (a == 1 && s.length == 3) {
            boolean any = false;
            for (Out o : in) any |= o.mask != null;
            if (any) {
                m = new boolean[s[0]][s[1]];
                for (int i = 0; i < s[0]; i++) {
                    int t0 = 0;
                    for (Out o : in) {
                        for (int t = 0; t < o.x.shape[1]; t++) m[i][t0 + t] = o.mask == null || o.mask[i][t];
                        t0 += o.x.shape[1];
                    }
                }
            }
        } else {
            m = orMasks(in);
        }
        return new Out(y, m);
    }

    private static String str(Map<?, ?> c, String k) { return c.get(k) == null ? "linear" : (String) c.get(k); }

    static double act(String a, double x, boolean keras3) {
        return switch (a) {
            case "linear" -> x;
            case "tanh" -> Math.tanh(x);
            case "sigmoid" -> 1 / (1 + Math.exp(-x));
            case "hard_sigmoid" -> Math.max(0, Math.min(1, keras3 ? x / 6 + 0.5 : 0.2 * x + 0.5));
            case "hard_sigmoid_keras2" -> Math.max(0, Math.min(1, 0.2 * x + 0.5));   // jrnn's files: Keras 2's under Keras 3
            case "relu" -> Math.max(0, x);
            case "elu" -> x > 0 ? x : Math.exp(x) - 1;
            case "selu" -> 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1));
            case "softplus" -> Math.log1p(Math.exp(x));
            case "softsign" -> x / (1 + Math.abs(x));
            default -> throw new IllegalStateException("reference has no activation " + a);
        };
    }

    private Arr activate(Arr x, String a) {
        Arr y = new Arr(x.shape);
        int f = x.last();
        for (int r = 0; r < x.d.length / f; r++) {
            if (a.equals("softmax")) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < f; j++) max = Math.max(max, x.d[r * f + j]);
                for (int j = 0; j < f; j++) sum += y.d[r * f + j] = Math.exp(x.d[r * f + j] - max);
                for (int j = 0; j < f; j++) y.d[r * f + j] /= sum;
            } else {
                for (int j = 0; j < f; j++) y.d[r * f + j] = act(a, x.d[r * f + j], keras3Hs);
            }
        }
        return y;
    }

    private Arr dense(Arr x, double[] k, double[] b, String a) {
        int in = x.last(), units = k.length / in, rows = x.d.length / in;
        int[] s = x.shape.clone();
        s[s.length - 1] = units;
        Arr y = new Arr(s);
        for (int r = 0; r < rows; r++) {
            for (int u = 0; u < units; u++) {
                double z = b == null ? 0 : b[u];
                for (int i = 0; i < in; i++) z += x.d[r * in + i] * k[i * units + u];
                y.d[r * units + u] = z;
            }
        }
        return activate(y, a);
    }

    private static Arr repeat(Arr x, int n) {
        int b = x.shape[0], f = x.shape[1];
        Arr y = new Arr(b, n, f);
        for (int i = 0; i < b; i++) for (int t = 0; t < n; t++) System.arraycopy(x.d, i * f, y.d, (i * n + t) * f, f);
        return y;
    }

    /** Keras' Masking: a row of the last axis that equals v everywhere becomes zeros; the mask is per (batch, step) of a 3-D input. */
    private static Out masking(Arr x, double v) {
        boolean noTime = x.shape.length == 2;
        int b = x.shape[0], t = noTime ? 1 : x.shape[1], f = x.last();
        boolean[][] m = new boolean[b][t];
        Arr y = new Arr(x.shape);
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < t; s++) {
                for (int j = 0; j < f; j++) m[i][s] |= x.d[(i * t + s) * f + j] != v;
                for (int j = 0; j < f; j++) y.d[(i * t + s) * f + j] = m[i][s] ? x.d[(i * t + s) * f + j] : 0;
            }
        }
        return new Out(y, noTime ? null : m);
    }

    private static Out embedding(Arr ids, double[] table, int dim, boolean maskZero) {
        int b = ids.shape[0], t = ids.shape[1];
        Arr y = new Arr(b, t, dim);
        boolean[][] m = maskZero ? new boolean[b][t] : null;
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < t; s++) {
                int id = (int) ids.d[i * t + s];
                System.arraycopy(table, id * dim, y.d, (i * t + s) * dim, dim);
                if (m != null) m[i][s] = id != 0;
            }
        }
        return new Out(y, m);
    }

    /** One recurrent layer with weights w[off..]; {@code reverseOutput} flips return_sequences output back (Bidirectional). */
    private List<Out> rnn(String cls, Map<?, ?> c, List<double[]> w, int off, Out in, boolean reverseOutput) {
        int units = (int) (long) (Long) c.get("units");
        String a = str(c, "activation"), ra = str(c, "recurrent_activation");
        boolean useBias = !Boolean.FALSE.equals(c.get("use_bias"));
        boolean seq = Boolean.TRUE.equals(c.get("return_sequences")), back = Boolean.TRUE.equals(c.get("go_backwards"));
        boolean resetAfter = Boolean.TRUE.equals(c.get("reset_after"));
        boolean zeroOut = Boolean.TRUE.equals(c.get("zero_output_for_mask"));
        double[] k = w.get(off), u = w.get(off + 1), bias = useBias ? w.get(off + 2) : null;
        int g = cls.equals("LSTM") ? 4 : cls.equals("GRU") ? 3 : 1;
        int b = in.x.shape[0], steps = in.x.shape[1], f = in.x.shape[2], H = units, G = g * H;
        Arr ys = new Arr(b, steps, H);
        double[][] h = new double[b][H], cst = new double[b][H], last = new double[b][H];
        for (int s = 0; s < steps; s++) {
            int t = back ? steps - 1 - s : s;
            for (int i = 0; i < b; i++) {
                boolean on = in.mask == null || in.mask[i][t];
                double[] xp = new double[G], hp = new double[G];
                for (int j = 0; j < G; j++) {
                    double z = 0;
                    for (int q = 0; q < f; q++) z += in.x.d[(i * steps + t) * f + q] * k[q * G + j];
                    xp[j] = z + (bias == null ? 0 : bias[j]);
                    double r = 0;
                    for (int q = 0; q < H; q++) r += h[i][q] * u[q * G + j];
                    hp[j] = r + (bias != null && g == 3 && resetAfter ? bias[G + j] : 0);
                }
                double[] nh = new double[H];
                for (int j = 0; j < H; j++) {
                    if (g == 1) {
                        nh[j] = act(a, xp[j] + hp[j], keras3Hs);
                    } else if (g == 4) {
                        double ig = act(ra, xp[j] + hp[j], keras3Hs), fg = act(ra, xp[H + j] + hp[H + j], keras3Hs);
                        double cc = act(a, xp[2 * H + j] + hp[2 * H + j], keras3Hs), og = act(ra, xp[3 * H + j] + hp[3 * H + j], keras3Hs);
                        double cn = fg * cst[i][j] + ig * cc;
                        if (on) cst[i][j] = cn;
                        nh[j] = og * act(a, cn, keras3Hs);
                    } else {
                        double z = act(ra, xp[j] + hp[j], keras3Hs), r = act(ra, xp[H + j] + hp[H + j], keras3Hs);
                        double hh;
                        if (resetAfter) {
                            hh = act(a, xp[2 * H + j] + r * hp[2 * H + j], keras3Hs);
                        } else {
                            double rec = 0;
                            for (int q = 0; q < H; q++) rec += act(ra, xp[H + q] + hp[H + q], keras3Hs) * h[i][q] * u[q * G + 2 * H + j];
                            hh = act(a, xp[2 * H + j] + rec, keras3Hs);
                        }
                        nh[j] = z * h[i][j] + (1 - z) * hh;
                    }
                }
                if (on) {
                    h[i] = nh;
                    last[i] = nh.clone();
                }
                int ot = reverseOutput ? t : s;
                for (int j = 0; j < H; j++) ys.d[(i * steps + ot) * H + j] = on || !zeroOut ? last[i][j] : 0;
            }
        }
        if (seq) return List.of(new Out(ys, in.mask));
        Arr y = new Arr(b, H);
        for (int i = 0; i < b; i++) System.arraycopy(last[i], 0, y.d, i * H, H);
        return List.of(new Out(y, null));
    }

    private List<Out> bidirectional(Map<?, ?> c, List<double[]> w, Out x) {
        Map<?, ?> inner = (Map<?, ?>) c.get("layer");
        String cls = (String) inner.get("class_name");
        Map<String, Object> fc = new HashMap<>();
        for (var e : cfg(inner).entrySet()) fc.put((String) e.getKey(), e.getValue());
        int per = w.size() / 2;
        // Keras' Bidirectional zeroes masked outputs of its layers when they return sequences
        fc.put("zero_output_for_mask", Boolean.TRUE.equals(fc.get("return_sequences")));
        Out fw = rnn(cls, fc, w, 0, x, false).get(0);
        Map<String, Object> bc = new HashMap<>(fc);
        bc.put("go_backwards", !Boolean.TRUE.equals(fc.get("go_backwards")));
        Out bw = rnn(cls, bc, w, per, x, true).get(0);
        String mode = c.get("merge_mode") == null ? "none" : (String) c.get("merge_mode");
        if (mode.equals("none")) return List.of(fw, bw);
        int H = fw.x.last(), rows = fw.x.d.length / H;
        int[] s = fw.x.shape.clone();
        if (mode.equals("concat")) s[s.length - 1] = 2 * H;
        Arr y = new Arr(s);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < H; j++) {
                double p = fw.x.d[r * H + j], q = bw.x.d[r * H + j];
                switch (mode) {
                    case "concat" -> { y.d[r * 2 * H + j] = p; y.d[r * 2 * H + H + j] = q; }
                    case "sum" -> y.d[r * H + j] = p + q;
                    case "mul" -> y.d[r * H + j] = p * q;
                    case "ave" -> y.d[r * H + j] = (p + q) / 2;
                    default -> throw new IllegalStateException("merge_mode " + mode);
                }
            }
        }
        return List.of(new Out(y, fw.mask));
    }
}
