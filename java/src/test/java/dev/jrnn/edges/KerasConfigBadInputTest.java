package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras configs with a key or argument the class does not take: Keras 3.15.1 refuses each ({@code
 * /tmp/tester-repros/config/typo.py}: "ValueError: Unrecognized keyword arguments passed to SimpleRNN: {'go_backward':
 * True}"; {@code kerrs.py} beside this round's notes, each class's {@code from_config}: "L2.__init__() got an unexpected
 * keyword argument 'l_2'", "MaxNorm.__init__() got an unexpected keyword argument 'max_val'", "NonNeg() takes no
 * arguments", "GlorotUniform.__init__() got an unexpected keyword argument 'gain'"), and jrnn built the layer without it,
 * took Keras' default or warned. Each is now refused naming the layer, the option, the class and the key, by
 * {@link Models#fromJson} and by {@link Models#load} of a .keras alike.
 */
class KerasConfigBadInputTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(1);
    }

    /** Keras 3's JSON of Sequential([Input((4, 2)), SimpleRNN(4, name="rnn", ...), Dense(2, name="head", ...)]) with {@code rnn} and {@code head} added to the layers' configs. */
    static String model(String rnn, String head) {
        return "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"trainable\": true, \"layers\": ["
                + "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4, 2], \"dtype\": \"float32\","
                + " \"sparse\": false, \"name\": \"input_layer\"}, \"registered_name\": null},"
                + "{\"module\": \"keras.layers\", \"class_name\": \"SimpleRNN\", \"config\": {\"name\": \"rnn\", \"trainable\": true,"
                + " \"dtype\": \"float32\", \"units\": 4, \"go_backwards\": false" + rnn + "}, \"registered_name\": null},"
                + "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"head\", \"units\": 2" + head + "},"
                + " \"registered_name\": null}]}, \"registered_name\": null}";
    }

    private static final String DENSE_TAKES = "Dense takes [activation, bias_constraint, bias_initializer, bias_regularizer, kernel_constraint,"
            + " kernel_initializer, kernel_regularizer, lora_alpha, lora_rank, quantization_config, units, use_bias] and every layer's [name,"
            + " trainable, dtype, autocast, activity_regularizer, input_dim, input_shape, batch_input_shape, batch_size, weights,"
            + " dynamic, implementation, input_dtype]";

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("misspelt go_backwards", model(", \"go_backward\": true", ""),
                        "fromJson: layer 'rnn' (SimpleRNN): unrecognized option {\"go_backward\": true}: not an argument of SimpleRNN in any Keras jrnn reads"
                        + " (Keras 3 refuses it too: 'Unrecognized keyword arguments passed to SimpleRNN'); did you mean go_backwards (not go_backward)?; SimpleRNN takes ["),
                Arguments.of("misspelt recurrent_dropout", model(", \"recurent_dropout\": 0.3", ""),
                        "fromJson: layer 'rnn' (SimpleRNN): unrecognized option {\"recurent_dropout\": 0.3}: not an argument of SimpleRNN in any Keras jrnn reads"
                        + " (Keras 3 refuses it too: 'Unrecognized keyword arguments passed to SimpleRNN'); did you mean recurrent_dropout"
                        + " (not recurent_dropout)?; SimpleRNN takes [activation, bias_constraint,"),
                Arguments.of("two unknown keys, one near none", model("", ", \"foo\": 1, \"use_bais\": false"),
                        "fromJson: layer 'head' (Dense): unrecognized options {\"foo\": 1, \"use_bais\": false}: not an argument of Dense in any Keras jrnn reads"
                        + " (Keras 3 refuses them too: 'Unrecognized keyword arguments passed to Dense'); did you mean use_bias (not use_bais)?; "
                        + DENSE_TAKES),
                Arguments.of("L2 with l_2", model("", ", \"kernel_regularizer\": {\"module\": \"keras.regularizers\", \"class_name\": \"L2\","
                        + " \"config\": {\"l_2\": 0.5}, \"registered_name\": null}"),
                        "fromJson: layer 'head' (Dense): kernel_regularizer: L2: unknown argument 'l_2' (L2 takes l2), got l_2=0.5"),
                Arguments.of("L1 with l2", model("", ", \"kernel_regularizer\": {\"class_name\": \"L1\", \"config\": {\"l2\": 0.5}}"),
                        "fromJson: layer 'head' (Dense): kernel_regularizer: L1: unknown argument 'l2' (L1 takes l1), got l2=0.5"),
                Arguments.of("L1L2 with foo", model("", ", \"bias_regularizer\": {\"class_name\": \"L1L2\", \"config\": {\"l1\": 0.1, \"l2\": 0.2, \"foo\": 1}}"),
                        "fromJson: layer 'head' (Dense): bias_regularizer: L1L2: unknown argument 'foo' (L1L2 takes l1, l2), got foo=1"),
                Arguments.of("activity L2 with l", model(", \"activity_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l\": 0.1}}", ""),
                        "fromJson: layer 'rnn' (SimpleRNN): activity_regularizer: L2: unknown argument 'l' (L2 takes l2), got l=0.1"),
                Arguments.of("MaxNorm with max_val", model(", \"recurrent_constraint\": {\"class_name\": \"MaxNorm\", \"config\": {\"max_val\": 0.5, \"axis\": 0}}", ""),
                        "fromJson: layer 'rnn' (SimpleRNN): recurrent_constraint: MaxNorm: unknown argument 'max_val' (MaxNorm takes max_value, axis),"
                        + " got max_val=0.5"),
                Arguments.of("NonNeg with axis", model("", ", \"kernel_constraint\": {\"class_name\": \"NonNeg\", \"config\": {\"axis\": 0}}"),
                        "fromJson: layer 'head' (Dense): kernel_constraint: NonNeg: unknown argument 'axis' (NonNeg takes none), got axis=0"),
                Arguments.of("GlorotUniform with gain", model("", ", \"kernel_initializer\": {\"module\": \"keras.initializers\", \"class_name\":"
                        + " \"GlorotUniform\", \"config\": {\"seed\": null, \"gain\": 2}, \"registered_name\": null}"),
                        "fromJson: layer 'head' (Dense): kernel_initializer: GlorotUniform: unknown argument 'gain' (GlorotUniform takes seed,"
                        + " input_axes, output_axes)"),
                Arguments.of("misspelt initializer name", model("", ", \"kernel_initializer\": \"glorot_unifrom\""),
                        "fromJson: layer 'head' (Dense): kernel_initializer: \"glorot_unifrom\" is not an initializer of any Keras jrnn reads"
                        + " (Keras 3 refuses it too: 'Could not interpret initializer identifier'); did you mean glorot_uniform?"),
                Arguments.of("InputLayer shape beside batch_shape", model("", "").replace("\"batch_shape\": [null, 4, 2]",
                        "\"batch_shape\": [null, 4, 2], \"shape\": [4, 2]"), "fromJson: model_config.layers[0].config: InputLayer 'input_layer':"
                        + " both shape [4, 2] and batch_shape [null, 4, 2] are given; expected one"),
                Arguments.of("InputLayer batch_size beside batch_shape", model("", "").replace("\"batch_shape\": [null, 4, 2]",
                        "\"batch_shape\": [null, 4, 2], \"batch_size\": 8"), "fromJson: model_config.layers[0].config: InputLayer 'input_layer':"
                        + " both batch_size 8 and batch_shape [null, 4, 2] are given; expected one"),
                Arguments.of("InputLayer without a shape", model("", "").replace("\"batch_shape\": [null, 4, 2], ", ""),
                        "fromJson: model_config.layers[0].config: InputLayer 'input_layer' has no shape: expected batch_shape,"
                        + " batch_input_shape, shape or input_shape (Keras 3 refuses it too: 'You must pass a `shape` argument')"),
                Arguments.of("batch_shape on a layer", model("", ", \"batch_shape\": [null, 4]"),
                        "fromJson: layer 'head' (Dense): unrecognized option {\"batch_shape\": [null, 4]}: not an argument of Dense in any"
                        + " Keras jrnn reads (Keras 3 refuses it too: 'Unrecognized keyword arguments passed to Dense')"),
                Arguments.of("input_dim 0 on a first layer", "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\":"
                        + " [{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2, \"input_dim\": 0}}]}}",
                        "fromJson: model_config.layers[0].config: layer 'd' (Dense): input_dim must be positive, got 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aKeyOrArgumentTheClassDoesNotTakeIsRefused(String name, String json, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(json), name);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void keysOfTheRealWritersAreTaken() {
        // tf.keras 2 writes time_major and implementation, which Keras 3 does not take; Keras 3 writes lora_rank / quantization_config
        Model m = Models.fromJson(model(", \"time_major\": false, \"implementation\": 1, \"seed\": 3", ", \"quantization_config\": null"));
        assertEquals(2, m.layers().size());
    }

    /** Models.load of a .keras reads its layers through the same check: the jrnn model's own file loads, one key misspelt refuses. */
    @Test
    void aKerasFileWithAMisspeltKeyIsRefusedNamingTheFile() throws IOException {
        Sequential s = new Sequential();
        s.add(new SimpleRNN(4).name("rnn").inputShape(4, 2));
        s.add(new Dense(2).name("head"));
        Path good = tmp.resolve("good.keras");
        s.save(good);
        Models.load(good).close();
        Path bad = tmp.resolve("bad.keras");
        Files.copy(good, bad);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + bad.toUri()), Map.of())) {
            Path cfg = zip.getPath("config.json");
            String c = Files.readString(cfg, StandardCharsets.UTF_8);
            assertTrue(c.contains("\"go_backwards\": false"), c);
            Files.writeString(cfg, c.replaceFirst("\"go_backwards\": false", "\"go_backward\": true"), StandardCharsets.UTF_8);
        }
        IOException e = assertThrows(IOException.class, () -> Models.load(bad).close());
        assertTrue(e.getMessage().contains("bad.keras") && e.getMessage().contains("layer 'rnn' (SimpleRNN): unrecognized option"
                + " {\"go_backward\": true}"), e.getMessage());
    }

    /** {@link dev.jrnn.io.KerasDtypeNames#refusal} of null names its parameter (a name it refuses is a reason, not an exception). */
    @Test
    void aNullDtypePolicyNameIsRefusedNamingTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.jrnn.io.KerasDtypeNames.refusal(null));
        assertTrue(e.getMessage().contains("name") && e.getMessage().contains("null"), e.getMessage());
        assertTrue(dev.jrnn.io.KerasDtypeNames.refusal("gptq/5/128_from_float32").contains("weight_bits 5"));
    }
}
