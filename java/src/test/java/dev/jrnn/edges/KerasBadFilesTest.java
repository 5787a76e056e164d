package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken and hostile Keras files: Models.load gives an IOException naming the file and what is wrong, and a model
 * that loadWeights was meant to fill keeps its weights. The files in {@code dev/jrnn/io/keras/bad/} were written by
 * {@code generator/make_keras_files.py} (h5py, not Keras): each is one model with one thing wrong. Truncated and
 * pointer-corrupted files are made here from {@code bad/ok.h5}.
 */
class KerasBadFilesTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    static Path bad(String name) {
        try {
            return Path.of(KerasBadFilesTest.class.getResource("/dev/jrnn/io/keras/bad/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("test resource bad/" + name + " missing: run generator/make_keras_files.py", e);
        }
    }

    private static void loadFails(Path file, String... phrases) {
        IOException e = assertThrows(IOException.class, () -> Models.load(file).close(), file.toString());
        String m = e.getMessage();
        assertTrue(m.contains(file.getFileName().toString()), "names the file: " + m);
        for (String p : phrases) assertTrue(m.contains(p), "says '" + p + "': " + m);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "huge_dims.h5|too large",
        "wrong_dtype.h5|expected float16, bfloat16, float32 or float64 weights",
        "wrong_shape.h5|expected shape",
        "nan_weight.h5|NaN",
        "stateful.h5|a stateful layer needs a fixed batch size",
        "unknown_layer.h5|'Conv2D' is not supported",
        "deep_json.h5|nesting deeper than",
        "missing_dataset.h5|is not a dataset",
        "plain.h5|not a Keras model file",
        "missing_member.keras|no member 'model.weights.h5'",
        "weights_not_hdf5.keras|is not HDF5",
        "deep_nesting.keras|deeper than",
        "gru_reset_mismatch.h5|weight bias expected shape (15,), the file has (2, 15)",
        "nested_short.h5|nested model 'encoder' holds 8 weight arrays in the file, its layers 9"})
    void brokenFilesAreClearIOExceptions(String file, String phrase) {
        loadFails(bad(file), phrase);
    }

    @Test
    void unknownLayerListsWhatIsSupported() {
        loadFails(bad("unknown_layer.h5"), "SimpleRNN", "LSTM", "GRU", "Bidirectional", "RepeatVector");
    }

    @Test
    void notKerasEmptyTruncatedAndCorrupted() throws IOException {
        Path text = Files.writeString(tmp.resolve("model.h5"), "{\"not\": \"hdf5\"}");
        loadFails(text, "neither an HDF5 file nor a zip");
        loadFails(Files.write(tmp.resolve("empty.keras"), new byte[0]), "(empty file)");
        byte[] ok = Files.readAllBytes(bad("ok.h5"));
        for (int cut : new int[] {8, 100, ok.length / 2, ok.length - 16}) {
            loadFails(Files.write(tmp.resolve("cut" + cut + ".h5"), Arrays.copyOf(ok, cut)));
        }
        // superblock v0: the root group's object header address (offset 64) pointing far past the end
        byte[] far = ok.clone();
        ByteBuffer.wrap(far).order(ByteOrder.LITTLE_ENDIAN).putLong(64, 0x7fff_ffff_0000L);
        loadFails(Files.write(tmp.resolve("root_past_end.h5"), far));
        byte[] zipCut = Arrays.copyOf(Files.readAllBytes(GeneratedFiles.path("keras3_sequential.keras")), 200);
        loadFails(Files.write(tmp.resolve("cut.keras"), zipCut));
        assertTrue(new String(zipCut, 0, 2, StandardCharsets.US_ASCII).equals("PK"));
    }

    /** A Keras config with a nested model (a model used as a layer) jrnn cannot flatten: the exact message. */
    @Test
    void nestedModelsThatCannotBeFlattenedAreRefused() {
        String input = "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4], \"name\": \"%s\"}}";
        // tf.keras 2 numbers a nested functional model's calls from 1 (its own node is 0): a reference to node 0 is no call
        String node0 = "{\"class_name\": \"Functional\", \"keras_version\": \"2.15.0\", \"config\": {\"name\": \"outer\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"name\": \"x\", \"config\": {\"batch_input_shape\": [null, 4], \"name\": \"x\"}, \"inbound_nodes\": []}, "
                + "{\"class_name\": \"Functional\", \"name\": \"sub\", \"config\": {\"name\": \"sub\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"name\": \"y\", \"config\": {\"batch_input_shape\": [null, 4], \"name\": \"y\"}, \"inbound_nodes\": []}, "
                + "{\"class_name\": \"Dense\", \"name\": \"d\", \"config\": {\"name\": \"d\", \"units\": 2}, \"inbound_nodes\": [[[\"y\", 0, 0, {}]]]}], "
                + "\"input_layers\": [[\"y\", 0, 0]], \"output_layers\": [[\"d\", 0, 0]]}, \"inbound_nodes\": [[[\"x\", 0, 0, {}]]]}], "
                + "\"input_layers\": [[\"x\", 0, 0]], \"output_layers\": [[\"sub\", 0, 0]]}}";
        RefusalCases.assertRefused("node 0", () -> Models.fromJson(node0), List.of("fromJson: model_config: reference [sub, 0, 0] names "
                + "node 0 of nested model 'sub', whose calls in this file count from 1"));
        // a nested model of two outputs in a Sequential, which passes one tensor on
        String two = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"outer\", \"layers\": [" + input.formatted("in") + ", "
                + "{\"class_name\": \"Functional\", \"config\": {\"name\": \"two\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"name\": \"y\", \"config\": {\"batch_shape\": [null, 4], \"name\": \"y\"}, \"inbound_nodes\": []}, "
                + "{\"class_name\": \"Dense\", \"name\": \"d\", \"config\": {\"name\": \"d\", \"units\": 2}, \"inbound_nodes\": "
                + "[{\"args\": [{\"class_name\": \"__keras_tensor__\", \"config\": {\"keras_history\": [\"y\", 0, 0]}}], \"kwargs\": {}}]}], "
                + "\"input_layers\": [[\"y\", 0, 0]], \"output_layers\": [[\"d\", 0, 0], [\"y\", 0, 0]]}}]}}";
        RefusalCases.assertRefused("two outputs", () -> Models.fromJson(two), List.of("fromJson: model_config: nested model 'two' has 2 "
                + "outputs; in a Sequential it needs one"));
    }

    /** A loadWeights that fails leaves every weight of the model as it was. */
    @Test
    void failedLoadWeightsLeavesTheModelUntouched() throws IOException {
        byte[] ok = Files.readAllBytes(bad("ok.h5"));
        Path truncated = Files.write(tmp.resolve("half.h5"), Arrays.copyOf(ok, ok.length / 2));
        try (Model m = Models.load(bad("ok.h5"))) {
            List<Tensor> before = m.getWeights();
            for (Path p : List.of(bad("huge_dims.h5"), bad("wrong_dtype.h5"), bad("wrong_shape.h5"), bad("nan_weight.h5"),
                    bad("missing_dataset.h5"), bad("deep_nesting.keras"), bad("plain.h5"), truncated)) {
                Exception e = assertThrows(Exception.class, () -> m.loadWeights(p), p.toString());
                assertTrue(e instanceof IOException || e instanceof IllegalArgumentException, p + ": " + e);
                assertTrue(e.getMessage().contains(p.getFileName().toString()), "names the file: " + e.getMessage());
                List<Tensor> after = m.getWeights();
                for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), after.get(i).data(), p.toString());
            }
        }
    }

    /** The generated good files beside bad/. */
    static final class GeneratedFiles {
        static Path path(String name) {
            try {
                return Path.of(KerasBadFilesTest.class.getResource("/dev/jrnn/io/keras/" + name).toURI());
            } catch (URISyntaxException e) {
                throw new AssertionError(e);
            }
        }
    }
}
