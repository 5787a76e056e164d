package dev.jrnn.io.keras;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The config keys each Keras layer class jrnn reads may hold, and the refusal of any other: Keras 3 refuses a key its
 * constructor does not take ({@code ValueError: Unrecognized keyword arguments passed to SimpleRNN: {'go_backward':
 * True}}), and jrnn, which would otherwise build the layer without it (a misspelt {@code go_backward} runs forwards),
 * refuses it too, naming the layer, the key, the nearest key the class has and the class's keys.
 * <p>
 * A class's keys are the union, so that no file a real writer made is refused, of: the keyword arguments Keras 3.15.1's
 * constructor takes (its {@code __init__} and those of its bases), tf.keras 2's (the engine bundled in TensorFlow 2.21,
 * with its base layer's {@code allowed_kwargs}; that engine lacks the wrappers, the normalization layers and
 * MultiHeadAttention, whose tf.keras 2 arguments beyond Keras 3's are BatchNormalization's fused, virtual_batch_size and
 * adjustment and Bidirectional's weights; tf.keras 2's MultiHeadAttention writes query_shape, key_shape and value_shape,
 * tf_keras 2.21's softmax_robust_masking, its Softmax robust_masking, and from 2.20 its random layers rng_type; its
 * CuDNNLSTM / CuDNNGRU time_major; its recurrent layers and cells enable_caching_device where it was not the default), Keras 2's (CuDNNLSTM / CuDNNGRU), num_constants of RNN and Bidirectional (refused by
 * its own message where not 0) and every key the real Keras 3,
 * tf.keras 2 and Keras 2 files of jrnn's tests and fixtures carry (Keras 3 takes neither {@code time_major} nor
 * {@code implementation}; tf.keras 2 wrote both). Keras 1 files are read through {@link Keras1Configs}, whose renamed
 * options are not checked here. Classes not listed (the recorded ops GetItem, SlicingOpLambda, TFOpLambda) are not checked.
 */
final class KerasLayerKeys {
    private KerasLayerKeys() {}

    /**
     * Keys every layer takes: Keras 3's Layer arguments and those tf.keras 2 and Keras 2 allowed in {@code **kwargs}; not
     * InputLayer's {@code batch_shape}, which no Keras takes on another layer ({@link KerasInputShape} reads the shape keys).
     */
    static final List<String> EVERY_LAYER = List.of("name", "trainable", "dtype", "autocast", "activity_regularizer", "input_dim",
            "input_shape", "batch_input_shape", "batch_size", "weights", "dynamic", "implementation", "input_dtype");

    /** Each class's own keys, beside {@link #EVERY_LAYER}. */
    private static final Map<String, String> OWN = Map.ofEntries(
            Map.entry("SimpleRNN", "activation bias_constraint bias_initializer bias_regularizer dropout enable_caching_device go_backwards kernel_constraint kernel_initializer kernel_regularizer recurrent_constraint recurrent_dropout recurrent_initializer recurrent_regularizer return_sequences return_state rng_type seed stateful time_major units unroll use_bias zero_output_for_mask"),
            Map.entry("LSTM", "activation bias_constraint bias_initializer bias_regularizer dropout enable_caching_device go_backwards kernel_constraint kernel_initializer kernel_regularizer recurrent_activation recurrent_constraint recurrent_dropout recurrent_initializer recurrent_regularizer return_sequences return_state rng_type seed stateful time_major unit_forget_bias units unroll use_bias use_cudnn zero_output_for_mask"),
            Map.entry("GRU", "activation bias_constraint bias_initializer bias_regularizer dropout enable_caching_device go_backwards kernel_constraint kernel_initializer kernel_regularizer recurrent_activation recurrent_constraint recurrent_dropout recurrent_initializer recurrent_regularizer reset_after return_sequences return_state rng_type seed stateful time_major units unroll use_bias use_cudnn zero_output_for_mask"),
            Map.entry("Bidirectional", "backward_layer layer merge_mode num_constants"),
            Map.entry("Dense", "activation bias_constraint bias_initializer bias_regularizer kernel_constraint kernel_initializer kernel_regularizer lora_alpha lora_rank quantization_config units use_bias"),
            Map.entry("TimeDistributed", "layer"),
            Map.entry("Embedding", "embeddings_constraint embeddings_initializer embeddings_regularizer input_length lora_alpha lora_rank mask_zero output_dim quantization_config"),
            Map.entry("Masking", "mask_value"),
            Map.entry("Dropout", "noise_shape rate rng_type seed"),
            Map.entry("Activation", "activation"),
            Map.entry("RepeatVector", "n"),
            Map.entry("Flatten", "data_format"),
            Map.entry("LayerNormalization", "axis beta_constraint beta_initializer beta_regularizer center epsilon gamma_constraint gamma_initializer gamma_regularizer rms_scaling scale"),
            Map.entry("Concatenate", "axis"),
            Map.entry("Add", ""),
            Map.entry("Multiply", ""),
            Map.entry("Average", ""),
            Map.entry("Conv1D", "activation bias_constraint bias_initializer bias_regularizer data_format dilation_rate filters groups kernel_constraint kernel_initializer kernel_regularizer kernel_size lora_alpha lora_rank padding strides use_bias"),
            Map.entry("AveragePooling1D", "data_format padding pool_size strides"),
            Map.entry("MaxPooling1D", "data_format padding pool_size strides"),
            Map.entry("GlobalAveragePooling1D", "data_format keepdims"),
            Map.entry("GlobalMaxPooling1D", "data_format keepdims"),
            Map.entry("Attention", "causal dropout rng_type score_mode seed use_scale"),
            Map.entry("AdditiveAttention", "causal dropout rng_type score_mode seed use_scale"),
            Map.entry("BatchNormalization", "adjustment axis beta_constraint beta_initializer beta_regularizer center epsilon fused gamma_constraint gamma_initializer gamma_regularizer momentum moving_mean_initializer moving_variance_initializer renorm renorm_clipping renorm_momentum scale synchronized virtual_batch_size"),
            Map.entry("MultiHeadAttention", "attention_axes bias_constraint bias_initializer bias_regularizer dropout flash_attention kernel_constraint kernel_initializer kernel_regularizer key_dim key_shape num_heads output_shape query_shape seed sliding_window softmax_robust_masking use_bias use_gate value_dim value_shape"),
            Map.entry("Normalization", "axis invert mean variance"),
            Map.entry("Reshape", "target_shape"),
            Map.entry("Permute", "dims"),
            Map.entry("ZeroPadding1D", "data_format padding"),
            Map.entry("Cropping1D", "cropping"),
            Map.entry("UpSampling1D", "size"),
            Map.entry("Subtract", ""),
            Map.entry("Maximum", ""),
            Map.entry("Minimum", ""),
            Map.entry("Dot", "axes normalize"),
            Map.entry("SpatialDropout1D", "noise_shape rate rng_type seed"),
            Map.entry("GaussianNoise", "rng_type seed stddev"),
            Map.entry("GaussianDropout", "rate rng_type seed"),
            Map.entry("ReLU", "max_value negative_slope threshold"),
            Map.entry("LeakyReLU", "alpha negative_slope"),
            Map.entry("ELU", "alpha"),
            Map.entry("PReLU", "alpha_constraint alpha_initializer alpha_regularizer shared_axes"),
            Map.entry("Softmax", "axis robust_masking"),
            Map.entry("Identity", ""),
            Map.entry("ThresholdedReLU", "theta"),
            Map.entry("RNN", "cell go_backwards num_constants return_sequences return_state stateful time_major unroll zero_output_for_mask"),
            Map.entry("SimpleRNNCell", "activation bias_constraint bias_initializer bias_regularizer dropout enable_caching_device kernel_constraint kernel_initializer kernel_regularizer recurrent_constraint recurrent_dropout recurrent_initializer recurrent_regularizer rng_type seed units use_bias"),
            Map.entry("LSTMCell", "activation bias_constraint bias_initializer bias_regularizer dropout enable_caching_device kernel_constraint kernel_initializer kernel_regularizer recurrent_activation recurrent_constraint recurrent_dropout recurrent_initializer recurrent_regularizer rng_type seed unit_forget_bias units use_bias"),
            Map.entry("GRUCell", "activation bias_constraint bias_initializer bias_regularizer dropout enable_caching_device kernel_constraint kernel_initializer kernel_regularizer recurrent_activation recurrent_constraint recurrent_dropout recurrent_initializer recurrent_regularizer reset_after rng_type seed units use_bias"),
            Map.entry("StackedRNNCells", "cells"),
            Map.entry("CuDNNLSTM", "bias_constraint bias_initializer bias_regularizer go_backwards kernel_constraint kernel_initializer kernel_regularizer recurrent_constraint recurrent_initializer recurrent_regularizer return_sequences return_state stateful time_major unit_forget_bias units"),
            Map.entry("CuDNNGRU", "bias_constraint bias_initializer bias_regularizer go_backwards kernel_constraint kernel_initializer kernel_regularizer recurrent_constraint recurrent_initializer recurrent_regularizer return_sequences return_state stateful time_major units")
    );

    /** The classes jrnn reads that Keras 3 does not have (Keras 2's and tf.keras 2's only). */
    private static final Set<String> NOT_IN_KERAS3 = Set.of("CuDNNLSTM", "CuDNNGRU", "ThresholdedReLU");

    /** Whether {@code cls}'s keys are checked. */
    static boolean checks(String cls) { return OWN.containsKey(cls); }

    /** The keys {@code cls} takes beside {@link #EVERY_LAYER}, sorted; empty for a class not checked. */
    static List<String> own(String cls) {
        String s = OWN.get(cls);
        return s == null || s.isEmpty() ? List.of() : List.of(s.split(" "));
    }

    /**
     * Refuses a key of {@code c} (a layer config of class {@code cls}) that the class does not take, naming {@code where}
     * (the layer), every such key with its value, the nearest key of the class for each, and the class's keys.
     */
    static void check(String cls, KerasConfig c, String where) {
        if (!checks(cls)) return;
        if ((cls.equals("RNN") || cls.equals("Bidirectional")) && c.raw("num_constants") instanceof Number n && n.intValue() != 0) {
            throw new KerasFormatException(where + ": option num_constants=" + n + " is not supported by jrnn (cells without constants only)");
        }
        Set<String> known = new TreeSet<>(own(cls));
        known.addAll(EVERY_LAYER);
        Unknown u = unknown(c, known);
        if (u == null) return;
        String keras3 = NOT_IN_KERAS3.contains(cls) ? "" : " (Keras 3 refuses " + (u.count() == 1 ? "it" : "them")
                + " too: 'Unrecognized keyword arguments passed to " + cls + "')";
        throw new KerasFormatException(where + ": " + u.options() + ": not an argument of " + cls + " in any Keras jrnn reads" + keras3
                + u.didYouMean() + "; " + cls + " takes " + own(cls) + " and every layer's " + EVERY_LAYER);
    }

    /**
     * The keys of a config that {@code known} lacks: {@code options} lists them with their values ("unrecognized option
     * {"lr": 0.1}"), {@code didYouMean} the nearest known key for each ("; did you mean learning_rate (not lr)?", or "").
     */
    record Unknown(int count, String options, String didYouMean) {}

    /** The keys of {@code c} that {@code known} lacks ({@link Unknown}); null where there are none. */
    static Unknown unknown(KerasConfig c, Set<String> known) {
        Map<String, Object> unknown = new LinkedHashMap<>();
        c.entries().forEach((k, v) -> { if (!known.contains(k)) unknown.put(k, v); });
        if (unknown.isEmpty()) return null;
        List<String> listed = new ArrayList<>(), near = new ArrayList<>();
        unknown.forEach((k, v) -> {
            listed.add("\"" + k + "\": " + KerasConfig.describe(v));
            String n = nearest(k, known);
            if (n != null) near.add(n + " (not " + k + ")");
        });
        return new Unknown(unknown.size(), "unrecognized option" + (unknown.size() == 1 ? " " : "s ") + "{" + String.join(", ", listed) + "}",
                near.isEmpty() ? "" : "; did you mean " + String.join(", ", near) + "?");
    }

    /** The key of {@code known} within two edits of {@code key} (a misspelling), the closest; null if none. */
    static String nearest(String key, java.util.Collection<String> known) {
        String best = null;
        int bestD = 3;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
