package dev.jrnn.io.keras;

import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras 3's LoRA layers ({@code enable_lora(rank)} / {@code lora_rank}: Dense, Embedding, Conv1D) in a legacy .h5.
 * Keras computes with {@code kernel + (lora_alpha / lora_rank) * lora_a @ lora_b} (dense.py's {@code kernel} property,
 * embedding.py's {@code embeddings}, base_conv.py's {@code kernel}); a .keras stores that sum
 * ({@code _get_kernel_with_merged_lora}), but the legacy .h5 stores the layer's {@code _legacy_weights} unmerged:
 * the trainable bias, {@code lora_kernel_a}, {@code lora_kernel_b} (Embedding: {@code lora_embeddings_a / _b}), then
 * the frozen kernel. jrnn has no LoRA: {@link #merge} sums each pair into its kernel here, once, as Keras' forward pass
 * does, so the layer is the plain one a .keras gives.
 */
final class KerasLora {
    private KerasLora() {}

    /** A LoRA array's weight-name stem and the array it updates. */
    private static final Map<String, String> PAIRS = Map.of("lora_kernel_a", "kernel", "lora_kernel_b", "kernel",
            "lora_embeddings_a", "embeddings", "lora_embeddings_b", "embeddings");

    /** A layer config's {@code lora_rank} and {@code lora_alpha} (None: the rank, Keras' default). */
    record Lora(double rank, double alpha) {
        /** Keras' factor of the update, {@code lora_alpha / lora_rank}. */
        double scale() { return alpha / rank; }
    }

    /** The {@link Lora} of a layer config that sets {@code lora_rank}, null where it sets none. */
    static Lora of(KerasConfig c) {
        if (!(c.raw("lora_rank") instanceof Number r) || r.doubleValue() <= 0) return null;
        return new Lora(r.doubleValue(), c.number("lora_alpha", r.doubleValue()));
    }

    /**
     * Each group's arrays of {@code stored} (a legacy weights group's layers, by name) with every LoRA pair summed into
     * its kernel: the sum takes the place of the layer's first array there (a plain layer's kernel comes first), the
     * pair and the unmerged kernel go. {@code loras}: the layers that set lora_rank (a TimeDistributed's inner one too);
     * {@code groups}: each group's layers by their names in the file (a top-level layer's group: itself; a nested
     * model's: its layers any depth down). A pair belongs to the layer its weight names' scope ends in
     * ({@code sequential/dense/lora_kernel_a}: dense), which must be one of its group's layers: a pair under another
     * layer's scope (a MultiHeadAttention's {@code mha/query}, whose config records no LoRA) is refused, as Keras' own
     * loader refuses that file.
     */
    static void merge(Map<String, List<Hdf5Arrays.Stored>> stored, Map<dev.jrnn.layers.Layer, Lora> loras,
                      Map<String, Map<String, List<dev.jrnn.layers.Layer>>> groups, java.util.Set<String> wrapped) {
        for (var e : stored.entrySet()) {
            List<Hdf5Arrays.Stored> ws = e.getValue();
            if (ws.stream().noneMatch(w -> PAIRS.containsKey(stem(w.name())))) continue;
            e.setValue(mergeGroup(e.getKey(), ws, loras, groups.getOrDefault(e.getKey(), Map.of()), wrapped));
        }
    }

    private static List<Hdf5Arrays.Stored> mergeGroup(String group, List<Hdf5Arrays.Stored> ws, Map<dev.jrnn.layers.Layer, Lora> loras,
                                                      Map<String, List<dev.jrnn.layers.Layer>> groupLayers, java.util.Set<String> wrapped) {
        Map<String, Map<String, Hdf5Arrays.Stored>> byScope = new LinkedHashMap<>();   // a layer's scope -> its arrays by stem
        for (Hdf5Arrays.Stored w : ws) {
            String n = w.name();
            if (n == null) continue;
            byScope.computeIfAbsent(scope(n), s -> new LinkedHashMap<>()).put(stem(n), w);
        }
        Map<String, Hdf5Arrays.Stored> mergedByScope = new LinkedHashMap<>();
        for (var s : byScope.entrySet()) {
            Map<String, Hdf5Arrays.Stored> arrays = s.getValue();
            String base = arrays.containsKey("lora_kernel_a") || arrays.containsKey("lora_kernel_b") ? "kernel"
                    : arrays.containsKey("lora_embeddings_a") || arrays.containsKey("lora_embeddings_b") ? "embeddings" : null;
            if (base != null) mergedByScope.put(s.getKey(), merged(group, s.getKey(), base, arrays, loras, groupLayers, wrapped));
        }
        List<Hdf5Arrays.Stored> r = new ArrayList<>();
        for (Hdf5Arrays.Stored w : ws) {
            String sc = w.name() == null ? null : scope(w.name());
            if (sc == null || !mergedByScope.containsKey(sc)) {
                r.add(w);
                continue;
            }
            Hdf5Arrays.Stored sum = mergedByScope.put(sc, null);
            if (sum != null) r.add(sum);   // at the layer's first array, once
            String st = stem(w.name());
            if (!PAIRS.containsKey(st) && !PAIRS.containsValue(st)) r.add(w);   // its bias stays, after the kernel
        }
        return r;
    }

    private static Hdf5Arrays.Stored merged(String group, String scope, String base, Map<String, Hdf5Arrays.Stored> arrays,
                                            Map<dev.jrnn.layers.Layer, Lora> loras, Map<String, List<dev.jrnn.layers.Layer>> groupLayers,
                                            java.util.Set<String> wrapped) {
        String pre = base.equals("kernel") ? "lora_kernel_" : "lora_embeddings_";
        String layer = scope.substring(scope.lastIndexOf('/') + 1);
        String at = "layer group '" + group + "'";
        Hdf5Arrays.Stored k = arrays.get(base), a = arrays.get(pre + "a"), b = arrays.get(pre + "b");
        if (k == null || a == null || b == null) {
            throw new KerasFormatException(at + " holds LoRA arrays of '" + scope + "' (" + arrays.keySet() + ") without all of "
                    + base + ", " + pre + "a and " + pre + "b");
        }
        // the layer that owns the pair: the group's own, or one of its nested model's layers, never one elsewhere; a
        // TimeDistributed's inner layer is its wrapper's (sequential/td/d: the scope names the wrapper just before it)
        String owner = layer;
        String[] parts = scope.split("/");
        if (parts.length >= 2 && wrapped.contains(parts[parts.length - 2] + "/" + layer)) owner = parts[parts.length - 2];
        java.util.Set<Lora> found = new java.util.LinkedHashSet<>();
        for (dev.jrnn.layers.Layer l : groupLayers.getOrDefault(owner, List.of())) {
            dev.jrnn.layers.Layer target = owner.equals(layer) ? l : l instanceof dev.jrnn.layers.TimeDistributed td ? td.layer() : null;
            Lora x = target == null ? null : loras.get(target);
            if (x != null) found.add(x);
        }
        if (found.size() > 1) {   // two layers of this name in one nested model's group, their LoRA set apart
            throw new KerasFormatException(at + " holds LoRA arrays of '" + scope + "', and the group has several layers named '"
                    + owner + "' with different lora_rank / lora_alpha " + found + ": jrnn cannot tell which these are");
        }
        Lora lora = found.isEmpty() ? null : found.iterator().next();
        if (lora == null) {
            throw new KerasFormatException(at + " holds LoRA arrays of '" + scope + "', but the config has no layer '" + layer
                    + "' in that group that sets lora_rank");
        }
        int[] ks = k.shape(), as = a.shape(), bs = b.shape();
        int out = ks[ks.length - 1], rank = as[as.length - 1];
        if (rank != lora.rank()) {   // Keras: "Shape mismatch ... for weight lora_kernel_a"
            String said = lora.rank() == Math.rint(lora.rank()) ? String.valueOf((long) lora.rank()) : String.valueOf(lora.rank());
            throw new KerasFormatException(at + ": layer '" + layer + "' sets lora_rank " + said + ", but its LoRA arrays have rank "
                    + rank + ": " + pre + "a "
                    + Tensor.shapeString(as) + ", " + pre + "b " + Tensor.shapeString(bs));
        }
        int[] aWant = ks.clone();
        aWant[aWant.length - 1] = rank;
        if (!Arrays.equals(as, aWant) || !Arrays.equals(bs, new int[] {rank, out})) {
            throw new KerasFormatException(at + ": LoRA arrays of '" + scope + "' do not fit its " + base + " "
                    + Tensor.shapeString(ks) + ": " + pre + "a " + Tensor.shapeString(as) + ", " + pre + "b "
                    + Tensor.shapeString(bs) + " (expected " + Tensor.shapeString(aWant) + " and (" + rank + ", " + out + "))");
        }
        float[] kv = k.tensor().data(), av = a.tensor().data(), bv = b.tensor().data(), sum = new float[kv.length];
        float s = (float) lora.scale();   // Keras: a Python float times a float32 tensor, so a float32 factor
        for (int row = 0; row < kv.length / out; row++) {
            for (int j = 0; j < out; j++) {
                float p = 0f;
                for (int q = 0; q < rank; q++) p += av[row * rank + q] * bv[q * out + j];
                sum[row * out + j] = kv[row * out + j] + s * p;
            }
        }
        return Hdf5Arrays.Stored.of(Tensor.wrap(sum, ks)).named(k.name());
    }

    /** A weight name's last part without Keras 2's {@code :0}: {@code sequential/dense/lora_kernel_a} -> lora_kernel_a. */
    private static String stem(String name) {
        if (name == null) return "";
        String s = name.substring(name.lastIndexOf('/') + 1);
        int colon = s.indexOf(':');
        return colon < 0 ? s : s.substring(0, colon);
    }

    /** The layer's scope of a weight name: all before its last part ({@code sequential/dense}). */
    private static String scope(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash);
    }
}
