package dev.jrnn.io.torch;

import dev.jrnn.io.FileFaults;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a PyTorch {@code state_dict} into a jrnn model: a {@code torch.save(model.state_dict(), "m.pt")} file or a
 * safetensors file ({@code safetensors.torch.save_file}). Each jrnn layer with weights takes one torch module, by an
 * explicit map from jrnn layer name to torch module prefix or, for the layers the map leaves out, the module of the
 * layer's own name. A multi-layer {@code nn.LSTM} / {@code nn.GRU} / {@code nn.RNN} gives one jrnn layer per torch layer,
 * named {@code "<module>.l<k>"} ({@code "lstm.l1"}: torch's {@code weight_ih_l1}, ...); a bidirectional one goes to a
 * jrnn {@link dev.jrnn.layers.Bidirectional}; an {@code nn.LSTMCell} / {@code nn.GRUCell} / {@code nn.RNNCell} (keys
 * without {@code _l0}) is the one-layer module, the jrnn layer looping its step. The empty prefix {@code ""} is the
 * state_dict's root (a bare {@code nn.LSTM(...).state_dict()}).
 *
 * <p>Loaded, the model predicts torch's outputs. Trained on, it is a Keras model: kernels, recurrent kernels, GRU's two
 * bias rows and a Linear head step as torch's would, but nn.LSTM's and nn.RNN's {@code bias_ih + bias_hh}
 * became Keras' one {@code bias}, a single weight: torch steps each of its two biases by the sum's gradient, so torch's
 * sum moves twice what jrnn's bias moves under SGD (about twice under Adam). Fine-tuning therefore does not land on
 * torch's weights for those biases; it trains the Keras model the file is saved as.
 *
 * <pre>{@code
 * // torch: self.lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True); self.fc = nn.Linear(8, 2)
 * //        torch.save(model.state_dict(), "m.pt")
 * Input x = Input.shape(-1, 3);
 * Node h = new Bidirectional(new LSTM(4).returnSequences(true)).name("bi0").apply(x);
 * h = new Bidirectional(new LSTM(4).returnSequences(true)).name("bi1").apply(h);
 * Model m = new Model(x, new Dense(2).name("fc").apply(h));
 * Models.loadTorchWeights(m, Path.of("m.pt"), Map.of("bi0", "lstm.l0", "bi1", "lstm.l1"));   // "fc" by name
 * }</pre>
 *
 * Everything is checked before any weight changes: every mapped module's keys, their shapes and element types and,
 * with {@code strict} (PyTorch's {@code load_state_dict(strict=True)}, the default), that every jrnn layer with weights
 * finds a module and every torch key is read (BatchNorm's {@code num_batches_tracked} aside). A mismatch is one
 * IllegalArgumentException naming each key with its expected and actual shape; a bad file an IOException naming the
 * file. A failure leaves the model as it was. A loaded LayerNormalization or BatchNormalization left at Keras'
 * epsilon 1e-3 gets one warning (torch's default is 1e-5; a state_dict does not hold it). The model must be built (its input shape declared), as for
 * {@link Model#setWeights}.
 */
public final class TorchWeights {
    private TorchWeights() {}

    private static final Pattern LAYER = Pattern.compile("(?:(.*)\\.)?l(\\d+)");

    /** {@link #load(Model, Path, Map, boolean)} by layer names, strict. */
    public static void load(Model model, Path file) throws IOException {
        load(model, file, Map.of(), true);
    }

    /** {@link #load(Model, Path, Map, boolean)}, strict. */
    public static void load(Model model, Path file, Map<String, String> mapping) throws IOException {
        load(model, file, mapping, true);
    }

    /**
     * Sets {@code model}'s weights from the state_dict in {@code file}.
     *
     * @param mapping jrnn layer name to torch module prefix ({@code "encoder.lstm"}, {@code "lstm.l1"} for layer 1 of a
     *                multi-layer recurrent module, {@code ""} for the root); layers it leaves out take the module of their
     *                own name
     * @param strict  every jrnn layer with weights must find a module and every torch key must be read; false: layers
     *                without a module keep their weights and unread keys are left (a mapped module must still fit in full)
     */
    public static void load(Model model, Path file, Map<String, String> mapping, boolean strict) throws IOException {
        // everything is read (and the file found unchanged) before any weight is set
        Read r = FileFaults.read(file, () -> read(model, file, mapping, strict));
        model.setWeights(r.weights());
        for (Layer l : r.loaded()) warnEpsilon(model, file, l);
    }

    /** The model's weights with the state_dict's in place, and the layers that took them. */
    private record Read(List<Tensor> weights, List<Layer> loaded) {}

    private static Read read(Model model, Path file, Map<String, String> mapping, boolean strict) throws IOException {
        if (model == null) throw new IllegalArgumentException("loadTorchWeights: model is null");
        String who = model.name() + ".loadTorchWeights(" + file + ")";
        if (file == null) throw new IllegalArgumentException(who + ": file is null");
        if (mapping == null) throw new IllegalArgumentException(who + ": mapping is null (Map.of() maps by layer name)");
        if (!model.isBuilt()) {   // getWeights() of a Sequential not yet built is [], as Keras': nothing would load
            throw new IllegalStateException(who + ": the model is not built, so its layers have no weights to load into;"
                    + " declare its input shape (Input.shape(...)) or build it first");
        }
        List<Tensor> all = new ArrayList<>(model.getWeights());   // refuses a closed model
        Map<String, Layer> layers = new LinkedHashMap<>();
        Map<Param, Integer> position = new IdentityHashMap<>();
        for (Layer l : model.layers()) {
            if (l.params().isEmpty()) continue;
            layers.put(l.name(), l);
            for (Param p : l.params()) position.putIfAbsent(p, position.size());
        }
        for (Map.Entry<String, String> e : mapping.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException(who + ": mapping entry " + e.getKey() + " -> " + e.getValue() + " holds a null");
            }
            if (!layers.containsKey(e.getKey())) {
                throw new IllegalArgumentException(who + ": mapping names jrnn layer '" + e.getKey() + "', which is not a layer with weights "
                        + "of the model (those are " + layers.keySet() + ")");
            }
        }
        List<Layer> loaded = new ArrayList<>();
        try (TorchStateDict sd = TorchStateDict.open(file)) {
            Map<String, TorchStateDict.Info> infos = sd.infos();
            // jrnn's saveWeights (and Keras') safetensors names every tensor layer/weight. A torch module name may hold '/'
            // too (nn.ModuleDict({'enc/lstm': ...}) saves 'enc/lstm.weight_ih_l0'), but its keys hold the '.' before the
            // parameter: the file is named as a Keras / jrnn one only when it does not fit and no key holds a '.'
            String notTorch = !infos.isEmpty() && infos.keySet().stream().allMatch(k -> k.contains("/") && !k.contains("."))
                    ? file + ": a Keras / jrnn weights file (keys such as '" + infos.keySet().iterator().next() + "': layer/weight,"
                      + " as model.saveWeights writes them), not a torch state_dict; load it with model.loadWeights(path)"
                    : null;
            List<TorchLayers.Plan> plans = new ArrayList<>();
            List<String> unmatched = new ArrayList<>();
            for (Layer l : layers.values()) {
                String prefix = mapping.get(l.name());
                TorchLayers.Module m = module(prefix != null ? prefix : l.name(), infos);
                // torch.compile saves '_orig_mod.lstm.*', DataParallel / DDP 'module.lstm.*' (torch's
                // consume_prefix_in_state_dict_if_present strips them): a layer by its own name finds its module there too
                for (int w = 0; m == null && prefix == null && w < WRAPPERS.size(); w++) m = module(WRAPPERS.get(w) + l.name(), infos);
                if (m == null) {
                    if (prefix != null) {
                        if (notTorch != null) throw new IOException(notTorch);
                        throw new IllegalArgumentException(who + ": mapping sends jrnn layer '" + l.name() + "' to torch module '" + prefix
                                + "', which the state_dict does not hold (" + layersOrModules(prefix, infos) + ")");
                    }
                    unmatched.add(l.name() + " (" + l.kerasClass() + ")");
                    continue;
                }
                plans.add(TorchLayers.plan(l, m, infos));
            }
            boolean noModule = plans.isEmpty() && !layers.isEmpty(), unmatchedFail = strict && !unmatched.isEmpty();
            if (notTorch != null && (noModule || unmatchedFail)) throw new IOException(notTorch);
            List<String> problems = new ArrayList<>();
            if (noModule) {   // strict or not, loading nothing is never what was meant
                problems.add("no jrnn layer " + layers.keySet() + " finds a torch module (by its name, or under a mapping);"
                        + " map them to the state_dict's modules " + modules(infos));
            } else if (unmatchedFail) {
                problems.add("jrnn layers " + unmatched + " find no torch module of their name; map each to one "
                        + "(Map.of(\"" + unmatched.get(0).split(" ")[0] + "\", \"<torch module>\")) among " + modules(infos)
                        + ", or pass strict=false to leave them as they are");
            }
            Map<String, String> reader = new LinkedHashMap<>();   // key -> the jrnn layer that reads it
            for (TorchLayers.Plan p : plans) {
                for (TorchLayers.Need n : p.needs()) {
                    String before = reader.putIfAbsent(n.key(), p.layer().name());
                    if (before != null) {
                        problems.add("torch key '" + n.key() + "' would go to both jrnn layers '" + before + "' and '" + p.layer().name() + "'");
                        continue;
                    }
                    TorchStateDict.Info info = infos.get(n.key());
                    String expected = "expected shape " + Tensor.shapeString(n.shape()) + " for jrnn layer '" + p.layer().name() + "'";
                    if (info == null) {
                        problems.add("missing torch key '" + n.key() + "' (" + expected + ")");
                    } else if (!java.util.Arrays.equals(info.shape(), n.shape())) {
                        problems.add("torch key '" + n.key() + "' " + expected + ", got " + shape(info.shape()));
                    } else if (!info.dtype().floating) {
                        problems.add("torch key '" + n.key() + "' holds " + info.dtype().torchName() + ", not floats");
                    }
                }
                for (String k : p.ignored()) reader.putIfAbsent(k, p.layer().name());
            }
            for (TorchLayers.Plan p : plans) {   // a loaded module fits in full, strict or not: a bias left unread changes outputs
                List<String> unread = new ArrayList<>();
                for (String k : keysOf(p.module(), infos.keySet())) if (!reader.containsKey(k)) unread.add(k);
                if (!unread.isEmpty()) {
                    boolean bias = unread.stream().anyMatch(k -> k.contains("bias"));
                    boolean none = p.needs().stream().noneMatch(n -> infos.containsKey(n.key()));
                    problems.add("torch keys " + unread + " of module " + p.module().describe() + " are not read by jrnn layer '"
                            + p.layer().name() + "' (" + p.layer().kerasClass() + "), which "
                            + (none ? "reads none of the module's keys (it is not the module kind the layer takes)"
                               : "loads the rest of it" + (bias ? " (a bias where the layer has useBias(false)?)" : "") + "; make the layer hold them"));
                }
            }
            if (strict) {
                List<String> unused = new ArrayList<>();
                for (String k : infos.keySet()) if (!reader.containsKey(k)) unused.add(k);
                if (!unused.isEmpty()) {
                    problems.add("torch keys " + (unused.size() > 20 ? unused.subList(0, 20) + " (and " + (unused.size() - 20) + " more)" : unused)
                            + " go to no jrnn layer; map their modules to jrnn layers, or pass strict=false to leave them");
                }
            }
            if (!problems.isEmpty()) {
                boolean normed = infos.keySet().stream().anyMatch(k -> k.contains(".parametrizations.") || k.endsWith("weight_g") || k.endsWith("weight_v"));
                if (normed) {
                    problems.add("the state_dict holds weight-normed (or parametrized) weights, which jrnn does not read: save it after"
                            + " torch.nn.utils.parametrize.remove_parametrizations(module, 'weight') (torch.nn.utils.remove_weight_norm"
                            + " for the old weight_norm), which writes the plain weight");
                }
                throw new IllegalArgumentException(who + ": the state_dict does not fit the model: " + String.join("; ", problems));
            }
            Map<String, float[]> values = new LinkedHashMap<>();
            List<String> nonFinite = new ArrayList<>();
            for (TorchLayers.Plan p : plans) {
                for (TorchLayers.Need n : p.needs()) {
                    float[] v = sd.floats(n.key());
                    for (float f : v) {
                        if (!Float.isFinite(f)) {
                            nonFinite.add(n.key());
                            break;
                        }
                    }
                    values.put(n.key(), v);
                }
            }
            if (!nonFinite.isEmpty()) {
                throw new IllegalArgumentException(who + ": torch keys " + nonFinite + " hold NaN or Inf (after conversion to float32)");
            }
            for (TorchLayers.Plan p : plans) {
                List<Param> ps = p.layer().params();
                List<Tensor> ws = p.build().weights(values);
                for (int i = 0; i < ps.size(); i++) all.set(position.get(ps.get(i)), ws.get(i));
                loaded.add(p.layer());
            }
        }
        return new Read(all, loaded);
    }

    /**
     * The one option a state_dict cannot carry whose defaults differ: torch's LayerNorm and BatchNorm1d take eps=1e-5,
     * Keras' layers 1e-3. A loaded normalization layer left at Keras' default is most likely a mistake: say so once.
     */
    private static void warnEpsilon(Model model, Path file, Layer l) {
        Layer t = l instanceof dev.jrnn.layers.TimeDistributed td ? td.layer() : l;
        double eps = t instanceof dev.jrnn.layers.LayerNormalization n ? n.epsilon()
                : t instanceof dev.jrnn.layers.BatchNormalization b ? b.epsilon() : 0;
        if (eps != 1e-3) return;
        String torch = t instanceof dev.jrnn.layers.LayerNormalization ? "nn.LayerNorm" : "nn.BatchNorm1d";
        FileFaults.warn(TorchWeights.class.getName(), model.name() + ".loadTorchWeights(" + file
                + "): jrnn layer '" + l.name() + "' (" + t.kerasClass() + ") keeps Keras' epsilon 0.001; " + torch
                + " defaults to eps=1e-5: give the layer .epsilon(1e-5), or the module's eps, or its outputs differ from torch's");
    }

    /** The state_dict's keys that are {@code m}'s own parameters (a recurrent module's layer: that layer's, both directions). */
    private static List<String> keysOf(TorchLayers.Module m, java.util.Set<String> keys) {
        List<String> r = new ArrayList<>();
        String dot = m.prefix().isEmpty() ? "" : m.prefix() + ".";
        for (String k : keys) {
            if (!k.startsWith(dot)) continue;
            String local = k.substring(dot.length());
            if (local.contains(".")) continue;
            if (m.layer() >= 0 && !local.matches("[a-z_]+_l" + m.layer() + "(_reverse)?")) continue;
            r.add(k);
        }
        return r;
    }

    /** The prefixes torch's wrappers put before a module's keys: torch.compile's, DataParallel's / DDP's, both. */
    private static final List<String> WRAPPERS = List.of("_orig_mod.", "module.", "module._orig_mod.", "_orig_mod.module.");

    /** The module {@code prefix} names, or null when the state_dict holds none of its keys. */
    private static TorchLayers.Module module(String prefix, Map<String, TorchStateDict.Info> infos) {
        Matcher mm = LAYER.matcher(prefix);
        if (mm.matches()) {
            String parent = mm.group(1) == null ? "" : mm.group(1);
            String k = mm.group(2);
            String probe = (parent.isEmpty() ? "" : parent + ".") + "weight_ih_l" + k;
            if (infos.containsKey(probe) && k.length() < 6) return new TorchLayers.Module(parent, Integer.parseInt(k));
        }
        if (prefix.isEmpty()) return infos.isEmpty() ? null : new TorchLayers.Module("", -1);
        for (String key : infos.keySet()) if (key.startsWith(prefix + ".")) return new TorchLayers.Module(prefix, -1);
        return null;
    }

    /**
     * The state_dict's modules (each key's prefix), for messages. The root, a bare module's keys without a prefix
     * ({@code nn.BatchNorm1d(2).state_dict()}), reads as {@code "" (the root)}: printed as an empty name it vanished
     * from the list, hiding that {@code Map.of("layer", "")} maps to it.
     */
    private static String modules(Map<String, TorchStateDict.Info> infos) {
        Set<String> out = new LinkedHashSet<>();
        for (String k : infos.keySet()) {
            int dot = k.lastIndexOf('.');
            out.add(dot < 0 ? "\"\" (the root: keys without a prefix, mapped as Map.of(\"<layer>\", \"\"))" : k.substring(0, dot));
        }
        return out.isEmpty() ? "[] (the state_dict holds no tensors)" : out.toString();
    }

    /**
     * For a mapping to a missing module: the layers of a multi-layer nn.LSTM / GRU / RNN when {@code prefix} names a
     * layer {@code "<module>.l<k>"} past them, else the state_dict's modules.
     */
    private static String layersOrModules(String prefix, Map<String, TorchStateDict.Info> infos) {
        Matcher mm = LAYER.matcher(prefix);
        if (mm.matches()) {
            String parent = mm.group(1) == null ? "" : mm.group(1), dot = parent.isEmpty() ? "" : parent + ".";
            List<String> held = new ArrayList<>();
            while (infos.containsKey(dot + "weight_ih_l" + held.size())) held.add(dot + "l" + held.size());
            if (!held.isEmpty()) {
                return (parent.isEmpty() ? "the root module" : "'" + parent + "'") + " has " + held.size() + " layer"
                        + (held.size() == 1 ? "" : "s") + " (num_layers=" + held.size() + "): " + held;
            }
        }
        return "its modules: " + modules(infos);
    }

    private static String shape(int[] s) {
        return s.length == 0 ? "() (a scalar)" : Tensor.shapeString(s);
    }
}
