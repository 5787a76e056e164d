package dev.jrnn.data;

import dev.jrnn.io.Json;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TextDirectory} against Keras 3.15.1's {@code text_dataset_from_directory} and NumPy's {@code RandomState}
 * (src/test/resources/dev/jrnn/data/textdir/make_textdir.py, TensorFlow 2.21): the tree it built is rebuilt here, and
 * each call must find, order, label, shuffle and split the same files.
 */
class TextDirectoryTest {
    @TempDir static Path root;
    @TempDir static Path brokenRoot;
    static Map<String, Object> golden;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void buildTree() throws IOException {
        try (InputStream in = TextDirectoryTest.class.getResourceAsStream("textdir/textdir.json")) {
            golden = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        for (Path r : List.of(root, brokenRoot)) {
            for (Map.Entry<String, Object> e : ((Map<String, Object>) golden.get("tree")).entrySet()) {
                Path p = r.resolve(e.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, (String) e.getValue(), StandardCharsets.UTF_8);
            }
            link(r, (Map<String, Object>) golden.get("links"));
        }
        link(brokenRoot, (Map<String, Object>) golden.get("broken"));
    }

    /** Keras' tree's symbolic links: a linked file, a linked subfolder in a class, a class folder that is a link. */
    static void link(Path r, Map<String, Object> links) throws IOException {
        for (Map.Entry<String, Object> e : links.entrySet()) Files.createSymbolicLink(r.resolve(e.getKey()), Path.of((String) e.getValue()));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(String key) { return (List<Map<String, Object>>) golden.get(key); }

    static int[] ints(Object v) { return ((List<?>) v).stream().mapToInt(o -> ((Number) o).intValue()).toArray(); }

    @SuppressWarnings("unchecked")
    static List<String> strings(Object v) { return (List<String>) v; }

    static List<String> relative(TextDirectory d) { return relative(root, d); }

    static List<String> relative(Path r, TextDirectory d) {
        List<String> out = new ArrayList<>();
        for (Path p : d.files()) out.add(r.relativize(p).toString().replace('\\', '/'));
        return out;
    }

    /** The jrnn options for a Keras call's keyword arguments. */
    static TextDirectory.Options options(Map<String, Object> kw) {
        TextDirectory.Options o = new TextDirectory.Options().verbose(false);
        if (kw.containsKey("labels")) o = kw.get("labels") instanceof List<?> l ? o.labels(ints(l)) : o.labels((String) kw.get("labels"));
        if (kw.containsKey("label_mode")) o = o.labelMode((String) kw.get("label_mode"));
        if (kw.containsKey("class_names")) o = o.classNames(strings(kw.get("class_names")));
        if (kw.containsKey("shuffle")) o = o.shuffle((Boolean) kw.get("shuffle"));
        if (kw.get("seed") != null) o = o.seed(((Number) kw.get("seed")).longValue());
        if (kw.containsKey("max_length")) o = o.maxLength(((Number) kw.get("max_length")).intValue());
        if (kw.containsKey("validation_split")) o = o.validationSplit(((Number) kw.get("validation_split")).doubleValue());
        if (kw.containsKey("subset")) o = o.subset((String) kw.get("subset"));
        if (kw.containsKey("batch_size")) o = o.batchSize(((Number) kw.get("batch_size")).intValue());
        if (Boolean.TRUE.equals(kw.get("follow_links"))) o = o.followLinks(true);
        return o;
    }

    @Test
    void numpyRandomStateShufflesAsNumpy() {
        for (Map<String, Object> c : list("shuffles")) {
            int[] got = new NumpyRandomState(((Number) c.get("seed")).longValue()).permutation(((Number) c.get("n")).intValue());
            assertArrayEquals(ints(c.get("order")), got, c.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(1L << 32));
    }

    static TextDirectory.Options indexOptions(Map<String, Object> c) {
        TextDirectory.Options o = new TextDirectory.Options().verbose(false).shuffle((Boolean) c.get("shuffle"))
                .labels((String) c.get("labels")).followLinks((Boolean) c.get("follow_links"));
        if (c.get("class_names") != null) o = o.classNames(strings(c.get("class_names")));
        if (c.get("seed") != null) o = o.seed(((Number) c.get("seed")).longValue());
        return o;
    }

    /** Code point order (U+FF5A before U+1F600), links to files and class folders, linked subfolders only with followLinks. */
    @Test
    void findsOrdersAndLabelsTheFilesAsKerasIndexDirectory() throws IOException {
        for (Map<String, Object> c : list("index")) {
            TextDirectory d = TextDirectory.read(root, indexOptions(c));
            assertEquals(strings(c.get("paths")), relative(d), c.toString());
            if (c.get("got_labels") == null) assertNull(d.labels());
            else assertArrayEquals(ints(c.get("got_labels")), d.labels(), c.toString());
            assertEquals(c.get("got_class_names"), d.classNames(), c.toString());
        }
    }

    /** A link that leads nowhere is listed, as os.walk lists it (so the shuffle and the split are Keras'), and fails when read. */
    @Test
    void aBrokenLinkIsListedAsKerasListsItAndFailsWhenRead() throws IOException {
        for (Map<String, Object> c : list("broken_index")) {
            assertEquals(strings(c.get("paths")), relative(brokenRoot, TextDirectory.read(brokenRoot, indexOptions(c))), c.toString());
        }
        TextDirectory d = TextDirectory.read(brokenRoot, new TextDirectory.Options().verbose(false).shuffle(false));
        int broken = relative(brokenRoot, d).indexOf("pos/broken.txt");
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> d.texts().get(broken));
        assertTrue(e.getMessage().contains("broken.txt: cannot read the text file (java.nio.file.NoSuchFileException"), e.getMessage());
    }

    @Test
    @SuppressWarnings("unchecked")
    void textsLabelsAndSubsetsAreKeras() throws IOException {
        for (Map<String, Object> c : list("datasets")) {
            Map<String, Object> kw = (Map<String, Object>) c.get("kwargs");
            TextDirectory d = TextDirectory.read(root, options(kw));
            assertEquals(c.get("class_names"), d.classNames(), kw.toString());
            List<String> want = strings(c.get("texts")), got = new ArrayList<>(d.texts());
            boolean tfShuffled = !Boolean.FALSE.equals(kw.get("shuffle"));   // TensorFlow's shuffle buffer: compare the sets
            if (tfShuffled) {
                assertEquals(new HashSet<>(want), new HashSet<>(got), kw.toString());
                assertEquals(want.size(), got.size(), kw.toString());
                continue;
            }
            assertEquals(want, got, kw.toString());
            if (c.containsKey("labels")) {
                Tensor y = d.labelTensor();
                List<Float> flat = new ArrayList<>();
                for (Object l : (List<?>) c.get("labels")) {
                    if (l instanceof List<?> row) for (Object v : row) flat.add(((Number) v).floatValue());
                    else flat.add(((Number) l).floatValue());
                }
                float[] w = new float[flat.size()];
                for (int i = 0; i < w.length; i++) w[i] = flat.get(i);
                assertArrayEquals(w, y.data(), kw.toString());
                assertEquals(want.size(), y.dim(0));
            } else {
                assertNull(d.labelTensor());
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void subsetBothSplitsAsKeras() throws IOException {
        Map<String, Object> both = (Map<String, Object>) golden.get("both");
        TextDirectory.Both b = TextDirectory.readBoth(root, options((Map<String, Object>) both.get("kwargs")));
        List<String> train = new ArrayList<>(b.training().texts());
        train.sort(null);
        List<String> wantTrain = new ArrayList<>(strings(both.get("training")));
        wantTrain.sort(null);
        assertEquals(wantTrain, train);
        assertEquals(strings(both.get("validation")), new ArrayList<>(b.validation().texts()));   // not shuffled: Keras' order
        List<Integer> sizes = new ArrayList<>();
        TextVectorization v = new TextVectorization().outputMode("multi_hot");
        v.adapt(b.training().texts());
        for (Object[] batch : TfDataGoldensTest.batches(b.training().dataset(v), 0)) sizes.add(((int[]) batch[1])[0]);
        assertEquals(((List<?>) both.get("training_batches")).stream().map(k -> ((Number) k).intValue()).toList(), sizes);
    }

    /** The dataset's batches are the vectorized texts and the labels, each file in it once per epoch, reshuffled. */
    @Test
    void datasetBatchesVectorizedTextsWithTheirLabels() throws IOException {
        TextDirectory d = TextDirectory.read(root, new TextDirectory.Options().verbose(false).seed(3).batchSize(5));
        TextVectorization v = new TextVectorization().maxTokens(40).outputSequenceLength(6);
        v.adapt(d.texts());
        Tensor all = v.call(d.texts()), y = d.labelTensor();
        List<List<Float>> expected = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            List<Float> row = new ArrayList<>();
            for (int k = 0; k < 6; k++) row.add(all.data()[i * 6 + k]);
            row.add(y.data()[i]);
            expected.add(row);
        }
        Dataset ds = d.dataset(v);
        assertEquals((d.size() + 4) / 5, ds.batchesPerEpoch());
        List<List<Float>> first = null;
        for (int epoch = 0; epoch < 2; epoch++) {
            List<List<Float>> got = new ArrayList<>();
            for (Object[] batch : TfDataGoldensTest.batches(ds, epoch)) {
                float[] x = (float[]) batch[0], labels = (float[]) batch[2];
                int n = ((int[]) batch[1])[0];
                assertArrayEquals(new int[] {n, 6}, (int[]) batch[1]);
                for (int r = 0; r < n; r++) {
                    List<Float> row = new ArrayList<>();
                    for (int k = 0; k < 6; k++) row.add(x[r * 6 + k]);
                    row.add(labels[r]);
                    got.add(row);
                }
            }
            assertEquals(new HashSet<>(expected), new HashSet<>(got), "epoch " + epoch);
            assertEquals(expected.size(), got.size());
            if (epoch == 0) first = got;
            else assertTrue(!got.equals(first) || expected.size() < 3, "each epoch reshuffles");
        }
    }

    /** Keras' text classifier: fit on the files as on the vectorized tensors, the same weights and losses, validation included. */
    @Test
    void fitOnTheFilesTrainsAsOnTensors() throws IOException {
        TextDirectory.Options o = new TextDirectory.Options().verbose(false).shuffle(false).batchSize(4).classNames(List.of("neg", "pos"))
                .labelMode("binary");
        TextDirectory d = TextDirectory.read(root, o);
        TextVectorization v = new TextVectorization().maxTokens(30).outputSequenceLength(8);
        v.adapt(d.texts());
        dev.jrnn.model.Sequential[] m = new dev.jrnn.model.Sequential[2];
        for (int k = 0; k < 2; k++) {
            dev.jrnn.Jrnn.setSeed(11);
            m[k] = new dev.jrnn.model.Sequential(dev.jrnn.model.Input.shape(8), new dev.jrnn.layers.Embedding(30, 4).maskZero(true),
                    new dev.jrnn.layers.LSTM(5), new dev.jrnn.layers.Dense(1).activation("sigmoid"));
            m[k].compile("adam", "binary_crossentropy");
        }
        dev.jrnn.model.History onFiles = m[0].fit(d.dataset(v),
                new dev.jrnn.model.FitOptions().verbose(0).shuffle(false).epochs(2).validationData(d.dataset(v)));
        Tensor x = v.call(d.texts()), y = d.labelTensor();
        dev.jrnn.model.History onTensors = m[1].fit(x, y,
                new dev.jrnn.model.FitOptions().verbose(0).shuffle(false).epochs(2).batchSize(4).validationData(x, y));
        assertEquals(onTensors.get("loss"), onFiles.get("loss"));
        assertEquals(onTensors.get("val_loss"), onFiles.get("val_loss"));
        for (int i = 0; i < m[0].getWeights().size(); i++) {
            assertArrayEquals(m[1].getWeights().get(i).data(), m[0].getWeights().get(i).data(), "weight " + i);
        }
    }

    @Test
    void printsWhatKerasPrints() throws IOException {
        PrintStream was = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            TextDirectory.read(root, new TextDirectory.Options().validationSplit(0.2).subset("training").seed(1337));
            TextDirectory.read(root, new TextDirectory.Options().noLabels().shuffle(false));
        } finally {
            System.setOut(was);
        }
        assertEquals("Found 17 files belonging to 4 classes.\nUsing 14 files for training.\nFound 18 files.\n",
                buf.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void refusesWhatKerasRefuses() {
        for (Map<String, Object> c : list("errors")) {
            Map<String, Object> kw = (Map<String, Object>) c.get("kwargs");
            String keras = (String) c.get("error");
            assertNotNull(keras, kw + ": Keras accepted it");
            Exception e = assertThrows(IllegalArgumentException.class, () -> {
                TextDirectory.Options o = options(kw);
                TextDirectory.read(root, o);
            }, kw + " (Keras: " + keras + ")");
            String named = kw.containsKey("label_mode") ? "labelMode" : kw.containsKey("class_names") ? "classNames"
                    : kw.containsKey("labels") && kw.get("labels") instanceof List<?> ? "labels"
                    : kw.containsKey("validation_split") && ((Number) kw.get("validation_split")).doubleValue() >= 1 ? "validationSplit"
                    : kw.containsKey("validation_split") && kw.get("seed") == null ? "seed"
                    : kw.containsKey("validation_split") ? "validationSplit" : "subset";
            assertTrue(e.getMessage().startsWith("TextDirectory: " + named), kw + ": " + e.getMessage());
        }
    }

    /**
     * Without a seed the files are shuffled with one drawn from Jrnn.setSeed's stream, as Keras draws it from NumPy's
     * global state (np.random.randint(1e6), which keras.utils.set_random_seed seeds): the same after the same setSeed.
     */
    @Test
    void anUnseededShuffleFollowsJrnnSetSeed() throws IOException {
        dev.jrnn.Jrnn.setSeed(1);
        TextDirectory a = TextDirectory.read(root);
        dev.jrnn.Jrnn.setSeed(1);
        TextDirectory b = TextDirectory.read(root);
        assertEquals(a.seed(), b.seed(), "the drawn seed after the same Jrnn.setSeed");
        assertEquals(a.files(), b.files(), "the files' order after the same Jrnn.setSeed");
        assertTrue(a.seed() >= 0 && a.seed() < 1_000_000, "Keras' range [0, 10^6): " + a.seed());
    }
}
