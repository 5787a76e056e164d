package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.io.keras.KerasImport;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Corrupt, truncated and hostile whole-model files of jrnn ({@code Model.save}): Models.load gives an IOException
 * naming the file and what is wrong. Each file is a good save with one thing changed.
 */
class ModelFileBadInputTest {
    @TempDir
    Path tmp;
    Path good;
    /** The saved model's predictions on X, before it was saved. */
    float[] goodPredictions;
    static final Tensor X = Tensor.full(0.3f, 2, 4, 2);

    @BeforeEach
    void save() throws IOException {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(2);
        try (Sequential m = new Sequential(new LSTM(3).inputShape(4, 2), new Dropout(0.2), new Dense(1))) {
            m.compile("adam", "mse");
            m.fit(Tensor.full(0.5f, 6, 4, 2), Tensor.full(0.1f, 6, 1), new FitOptions().epochs(1).batchSize(3).verbose(0).seed(1));
            good = tmp.resolve("good.keras");
            m.save(good);
            goodPredictions = m.predict(X).data();
        }
    }

    /** KerasImport.readWeights (loadWeights' read half) names a null model or file. */
    @Test
    void readWeightsRefusesNullArguments(@TempDir Path dir) throws IOException {
        try (Sequential m = new Sequential(new Dense(1).inputShape(2))) {
            Path f = dir.resolve("w.keras");
            m.save(f);
            assertEquals("KerasImport.readWeights: model is null",
                    assertThrows(IllegalArgumentException.class, () -> KerasImport.readWeights(null, f, false)).getMessage());
            assertEquals("KerasImport.readWeights: file is null",
                    assertThrows(IllegalArgumentException.class, () -> KerasImport.readWeights(m, null, false)).getMessage());
            // the overload with a state reader (a .weights.h5's optimizer variables) names each too
            KerasImport.StateReader none = (model, stored) -> { };
            assertEquals("KerasImport.readWeights: model is null",
                    assertThrows(IllegalArgumentException.class, () -> KerasImport.readWeights(null, f, none)).getMessage());
            assertEquals("KerasImport.readWeights: state is null",
                    assertThrows(IllegalArgumentException.class, () -> KerasImport.readWeights(m, f, (KerasImport.StateReader) null)).getMessage());
            assertEquals("KerasExport.writeWeights: optimizerVars is null (empty: none)", assertThrows(IllegalArgumentException.class,
                    () -> dev.jrnn.io.keras.KerasExport.writeWeights(m, java.io.OutputStream.nullOutputStream(), null)).getMessage());
        }
    }

    /**
     * A damaged .keras zip says why it is damaged: a reason without a message (an EOFException) read "a damaged zip (null)"
     * after the jar-loading change unwrapped commons-compress' wrapper on the default file system too. One byte of the
     * last 400 (the zip's directory) changed at a time, as an outside reviewer's sweep did (Random(7)).
     */
    @Test
    void aDamagedZipNeverSaysNull() throws IOException {
        byte[] b = java.nio.file.Files.readAllBytes(good);
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 75; i++) {
            byte[] c = b.clone();
            c[b.length - 1 - r.nextInt(Math.min(400, b.length - 1))] ^= (byte) (1 + r.nextInt(255));
            Path f = tmp.resolve("f" + i + ".keras");
            java.nio.file.Files.write(f, c);
            try (Model m = Models.load(f)) {
                assertTrue(m.countParams() > 0);   // a byte the readers never look at
            } catch (IOException e) {
                assertFalse(e.getMessage().contains("(null)"), f + ": " + e.getMessage());
            }
        }
    }

    private static void loadFails(Path file, String... phrases) {
        IOException e = assertThrows(IOException.class, () -> Models.load(file).close(), file.toString());
        String m = e.getMessage();
        assertTrue(m.contains(file.getFileName().toString()), "names the file: " + m);
        for (String p : phrases) assertTrue(m.contains(p), "says '" + p + "': " + m);
    }

    /** The good file with member {@code name} replaced by {@code edit} of its text (null: left out). */
    private Path edited(String out, String name, UnaryOperator<String> edit) throws IOException {
        Path f = tmp.resolve(out);
        try (ZipFile in = new ZipFile(good.toFile()); OutputStream os = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Enumeration<? extends ZipEntry> es = in.entries(); es.hasMoreElements(); ) {
                ZipEntry e = es.nextElement();
                byte[] b = in.getInputStream(e).readAllBytes();
                if (e.getName().equals(name)) {
                    String s = edit.apply(new String(b, StandardCharsets.UTF_8));
                    if (s == null) continue;
                    b = s.getBytes(StandardCharsets.UTF_8);
                }
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(b);
                z.closeEntry();
            }
        }
        return f;
    }

    /** The control: the unedited file loads, with the saved model's predictions. */
    @Test
    void theGoodFileLoads() throws IOException {
        try (Model loaded = Models.load(good)) {
            assertEquals(3, loaded.layers().size());
            assertArrayEquals(goodPredictions, loaded.predict(X).data(), "the saved model's predictions");
        }
    }

    @Test
    void truncatedFiles() throws IOException {
        byte[] all = Files.readAllBytes(good);
        for (int cut : new int[] {all.length / 2, all.length - 30, 10}) {
            Path f = tmp.resolve("cut" + cut + ".keras");
            Files.write(f, Arrays.copyOf(all, cut));
            loadFails(f);
        }
    }

    @Test
    void aMissingMember() throws IOException {
        loadFails(edited("noweights.keras", "model.weights.h5", s -> null), "model.weights.h5");
        loadFails(edited("noconfig.keras", "config.json", s -> null), "config.json");
    }

    @Test
    void anUnknownJrnnFormat() throws IOException {
        loadFails(edited("format.keras", "metadata.json", s -> s.replace("\"format\": 1", "\"format\": 99")), "jrnn format 99");
    }

    @Test
    void optimizerStateThatIsMissingOrDoesNotFit() throws IOException {
        // a file in the layout jrnn wrote before (state names under jrnn_state/optimizer) naming one that is not there
        loadFails(edited("extra.keras", "metadata.json", s -> s.replace("\"state\": []", "\"state\": [\"w\"]")
                .replaceAll("\"keras_vars\": \\d+, ", "")), "optimizer state 'w' is missing");
        loadFails(edited("class.keras", "metadata.json", s -> s.replace("\"class_name\": \"Adam\"", "\"class_name\": \"SGD\"")),
                "optimizer state of SGD");
        loadFails(edited("iters.keras", "metadata.json", s -> s.replaceAll("\"iterations\": \\d+", "\"iterations\": -4")),
                "iterations must be in");
    }

    /**
     * The state at Keras' optimizer/vars of a file whose compile config was edited to keep more (amsgrad's velocity_hat):
     * it does not fit, so it is not restored (one warning naming both counts), fit starts from fresh moments at update
     * 0, as in the jrnn_state layout and for a Keras file. Before, Models.load refused the whole file there.
     */
    @Test
    void optimizerStateAtKerasVarsThatDoesNotFitItsConfigIsLeftOutWithOneWarning() throws Exception {
        Path f = edited("amsgrad.keras", "config.json", s -> s.replace("\"amsgrad\": false", "\"amsgrad\": true"));
        Model[] loaded = new Model[1];
        List<String> w = LogCapture.warnings(KerasImport.class.getName(), () -> loaded[0] = Models.load(f));
        try (Model m = loaded[0]) {
            assertEquals(1, w.size(), w.toString());
            assertTrue(w.get(0).contains("the optimizer state holds 12 variables, Adam (amsgrad) over 5 trainable weights has 17")
                    && w.get(0).contains("fresh moments at update 0"), w.get(0));
            assertEquals(0, m.optimizer().iterations());
            assertTrue(m.optimizer().state().isEmpty());
            assertArrayEquals(goodPredictions, m.predict(X).data(), 0f);   // the weights are the file's
        }
    }

    @Test
    void hostileMetadataAndConfig() throws IOException {
        loadFails(edited("drop.keras", "metadata.json", s -> s.replaceAll("\"dropout\": \\{\"([a-z_0-9]+)\": \\[\"-?\\d+\"", "\"dropout\": {\"$1\": [\"x\"")),
                "should be an integer");
        loadFails(edited("deep.keras", "config.json", s -> "[".repeat(100_000)), "config.json");
        loadFails(edited("garbage.keras", "config.json", s -> s.substring(0, s.length() / 2)), "config.json");
    }

    /**
     * Embedding.paddingIdx kept in jrnn's metadata ({@code "padding_idx": {"emb": 2}} for a 6-row table): a row outside
     * the table or a value that is not an integer is refused naming the file and the layer, as the other metadata is.
     */
    @Test
    void paddingIdxThatIsNotARowOfTheTable() throws IOException {
        Path emb = tmp.resolve("emb.keras");
        try (Sequential m = new Sequential(new Embedding(6, 3).paddingIdx(2).name("emb").inputShape(4), new Dense(1))) {
            m.save(emb);
        }
        good = emb;
        String[][] cases = {{"-1", "padding_idx of 'emb' should be in [0, 6), got -1"}, {"6", "padding_idx of 'emb' should be in [0, 6), got 6"},
                {"\"x\"", "padding_idx of 'emb' should be an integer, got x"}, {"2.0", "padding_idx of 'emb' should be an integer, got 2.0"},
                {"[1]", "padding_idx of 'emb' should be an integer, got [1]"}};
        for (String[] c : cases) {
            Path f = edited("pad.keras", "metadata.json", s -> {
                String t = s.replace("\"padding_idx\": {\"emb\": 2}", "\"padding_idx\": {\"emb\": " + c[0] + "}");
                assertFalse(t.equals(s), "the metadata holds the row: " + s);
                return t;
            });
            byte[] before = Files.readAllBytes(f);
            loadFails(f, c[1]);
            assertArrayEquals(before, Files.readAllBytes(f), "the file is left as it was");
        }
        try (Model back = Models.load(emb)) {   // the control
            assertEquals(2, ((Embedding) back.layers().get(0)).paddingIdx());
        }
    }

    @Test
    void notAZipAtAll() throws IOException {
        Path f = tmp.resolve("junk.keras");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[] {'P', 'K', 3, 4});
        b.write(new byte[200]);
        Files.write(f, b.toByteArray());
        loadFails(f);
    }

    /**
     * A Keras 3.15.1 model holding TextVectorization (keras3_real/make_text_vectorization.py): refused, as documented; the
     * message named only the supported classes, now the route that works, which this test then follows to Keras' own ids.
     */
    @Test
    void aModelWithTextVectorizationIsRefusedNamingTheRouteThatWorks(@TempDir Path dir) throws Exception {
        Path f = Path.of(ModelFileBadInputTest.class.getResource("/dev/jrnn/io/keras/keras3_real/tv_model.keras").toURI());
        IOException e = assertThrows(IOException.class, () -> Models.load(f));
        assertEquals(f + ": layer 'text_vectorization' (TextVectorization): " + textVectorizationRoute("text_vectorization"), e.getMessage());
        followTheRoute(f, dir, "text_vectorization");
    }

    /**
     * The same layer in a Sequential nested in a functional Model (keras3_real/make_text_vectorization.py): it was refused
     * for the outer string Input's batch_shape, without the route; the route names the nesting, as Keras writes the
     * vocabulary at assets/layers/sequential/layers/text_vectorization/.
     */
    @Test
    void aNestedTextVectorizationIsRefusedNamingItsNestedPath(@TempDir Path dir) throws Exception {
        Path f = Path.of(ModelFileBadInputTest.class.getResource("/dev/jrnn/io/keras/keras3_real/tv_nested.keras").toURI());
        IOException e = assertThrows(IOException.class, () -> Models.load(f));
        assertEquals(f + ": layer 'text_vectorization' (TextVectorization) in nested model 'sequential': "
                + textVectorizationRoute("sequential/layers/text_vectorization"), e.getMessage());
        followTheRoute(f, dir, "sequential/layers/text_vectorization");
    }

    private static String textVectorizationRoute(String at) {
        return "a TextVectorization layer inside a model is not supported:"
                + " jrnn's models take float tensors and its TextVectorization (dev.jrnn.data) vectorizes the texts on the host before"
                + " them. Rebuild it from the .keras archive with TextVectorization.fromConfig(this layer's \"config\" in config.json),"
                + " then loadVocabulary(assets/layers/" + at + "/vocabulary.txt extracted from the archive; in \"tf_idf\" mode"
                + " vocabulary(tokens, idfWeights) with the weights at layers/" + at + "/vars/idf_weights of its"
                + " model.weights.h5), and load a model saved without it (in Keras: a Model from the layer after it)";
    }

    /** Rebuilds file {@code f}'s TextVectorization at {@code at} (below layers/) as the refusal says and checks Keras' ids. */
    @SuppressWarnings("unchecked")
    private static void followTheRoute(Path f, Path dir, String at) throws Exception {
        dev.jrnn.data.TextVectorization tv;
        Path vocabulary = dir.resolve("vocabulary.txt");
        try (ZipFile z = new ZipFile(f.toFile())) {
            var cfg = (java.util.Map<String, Object>) dev.jrnn.io.Json.parse(new String(
                    z.getInputStream(z.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8));
            var model = (java.util.Map<String, Object>) cfg.get("config");
            String[] parts = at.split("/");
            for (int i = 0; i + 2 < parts.length; i += 2) {   // down the nested models named in the path
                String name = parts[i];
                model = (java.util.Map<String, Object>) ((java.util.List<java.util.Map<String, Object>>) model.get("layers")).stream()
                        .filter(l -> name.equals(((java.util.Map<String, Object>) l.get("config")).get("name"))).findFirst().orElseThrow().get("config");
            }
            var layers = (java.util.List<java.util.Map<String, Object>>) model.get("layers");
            var layer = layers.stream().filter(l -> "TextVectorization".equals(l.get("class_name"))).findFirst().orElseThrow();
            tv = dev.jrnn.data.TextVectorization.fromConfig((java.util.Map<String, Object>) layer.get("config"));
            Files.write(vocabulary, z.getInputStream(z.getEntry("assets/layers/" + at + "/vocabulary.txt")).readAllBytes());
        }
        tv.loadVocabulary(vocabulary);
        Tensor ids = tv.call(java.util.List.of("the cat sat on the mat", "a dog ran far, far away!", "The Cat and the Dog", "zebra"));
        Tensor keras = dev.jrnn.data.Npy.read(f.resolveSibling("tv_model_ids.npy"));
        assertArrayEquals(keras.shape(), ids.shape());
        assertArrayEquals(keras.toArray(), ids.toArray());
    }
}
