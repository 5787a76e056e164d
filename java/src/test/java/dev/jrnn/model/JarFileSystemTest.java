package dev.jrnn.model;

import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npy;
import dev.jrnn.data.TextVectorization;
import dev.jrnn.data.Timeseries;
import dev.jrnn.io.Json;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model and weights files read from a jar's file system (the JDK's zipfs, as a service finds a model packaged in its
 * application jar): the same results and the same refusals as the same files on the default file system. zipfs deflates
 * what it writes unless told not to, as the jar tool does; both are tried.
 */
class JarFileSystemTest {
    @TempDir
    Path dir;

    static Path resource(String path) {
        try {
            return Path.of(JarFileSystemTest.class.getResource(path).toURI());
        } catch (Exception e) {
            throw new IllegalStateException(path, e);
        }
    }

    /** A jar at {@code dir/name} holding {@code files} (by their file names); {@code stored}: without compression. */
    static Path jar(Path dir, String name, boolean stored, Path... files) throws IOException {
        Path jar = dir.resolve(name);
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()),
                Map.of("create", "true", "noCompression", String.valueOf(stored)))) {
            for (Path f : files) Files.copy(f, fs.getPath("/" + f.getFileName()));
        }
        return jar;
    }

    /** Keras 3's .keras and tf.keras 2's .h5 of one model predict what numpy computed from the file's weights. */
    @Test
    void kerasFilesInAJarPredictWhatNumpyComputed() throws IOException {
        String k = "/dev/jrnn/io/keras/";
        Tensor x = Npy.read(resource(k + "keras3_conv1d_x.npy"));
        float[] want = Npy.read(resource(k + "keras3_conv1d_y.npy")).data();   // generator/make_keras_files.py
        for (boolean stored : new boolean[] {true, false}) {
            Path jar = jar(dir, "m" + stored + ".jar", stored, resource(k + "keras3_conv1d.keras"), resource(k + "keras3_conv1d.h5"),
                    resource(k + "keras3_conv1d_x.npy"));
            try (FileSystem fs = FileSystems.newFileSystem(jar)) {
                assertArrayEquals(x.data(), Npy.read(fs.getPath("/keras3_conv1d_x.npy")).data(), "Npy.read");
                for (String f : List.of("keras3_conv1d.keras", "keras3_conv1d.h5")) {
                    try (Model m = Models.load(fs.getPath("/" + f))) {
                        float[] y = m.predict(x).data();
                        for (int i = 0; i < want.length; i++) assertEquals(want[i], y[i], 1e-5, f + " stored=" + stored + ": element " + i);
                    }
                }
            }
        }
    }

    /** Weights files of every layout (.weights.h5, .h5, safetensors) and a saved model with its optimizer, from a jar. */
    @Test
    void weightsAndSavedModelsReadFromAJarAsFromTheirFiles() throws IOException {
        try (Model src = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(1))) {
            src.compile("adam", "mse");
            Tensor x = Tensor.of(new float[] {.1f, .2f, .3f, .4f, .5f, .6f, .7f, .8f}, 1, 4, 2);
            src.fit(x, Tensor.of(new float[] {1}, 1, 1), new FitOptions().epochs(2).verbose(0));
            List<Path> files = List.of(dir.resolve("w.weights.h5"), dir.resolve("w.h5"), dir.resolve("w.safetensors"), dir.resolve("m.keras"));
            for (int i = 0; i < 3; i++) src.saveWeights(files.get(i));
            src.save(files.get(3));
            Path jar = jar(dir, "w.jar", false, files.toArray(Path[]::new));
            try (FileSystem fs = FileSystems.newFileSystem(jar)) {
                for (int i = 0; i < 3; i++) {
                    try (Model m = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(1))) {
                        m.loadWeights(fs.getPath("/" + files.get(i).getFileName()));
                        assertEquals(src.getWeights(), m.getWeights(), files.get(i).getFileName().toString());
                    }
                }
                try (Model m = Models.load(fs.getPath("/m.keras")); Model local = Models.load(files.get(3))) {
                    assertEquals(src.getWeights(), m.getWeights());
                    assertArrayEquals(src.predict(x).data(), m.predict(x).data());
                    // the optimizer state came along: the next step is the local file's next step
                    Tensor y = Tensor.of(new float[] {1}, 1, 1);
                    m.trainOnBatch(x, y);
                    local.trainOnBatch(x, y);
                    assertEquals(local.getWeights(), m.getWeights());
                }
                assertEquals(SafeTensors.read(files.get(2)), SafeTensors.read(fs.getPath("/w.safetensors")));
            }
        }
    }

    /** A torch.save zip and a safetensors state_dict from a jar predict what torch computed (expected.json). */
    @Test
    void torchStateDictsFromAJarPredictWhatTorchComputed() throws IOException {
        String t = "/dev/jrnn/io/torch/";
        Map<?, ?> gru = (Map<?, ?>) ((Map<?, ?>) Json.parse(Files.readString(resource(t + "expected.json")))).get("gru");
        Tensor x = tensor(gru, "x"), want = tensor(gru, "y");
        Path jar = jar(dir, "t.jar", false, resource(t + "gru.pt"), resource(t + "gru.safetensors"));
        try (FileSystem fs = FileSystems.newFileSystem(jar)) {
            for (String f : List.of("gru.pt", "gru.safetensors")) {
                try (Model m = new Sequential(new GRU(5).name("gru").inputShape(4, 3), new Dense(1).name("fc"))) {
                    Models.loadTorchWeights(m, fs.getPath("/" + f));
                    float[] y = m.predict(x).data();
                    for (int i = 0; i < y.length; i++) assertEquals(want.data()[i], y[i], 1e-5, f + ": element " + i);
                }
            }
        }
    }

    private static Tensor tensor(Map<?, ?> m, String what) {
        List<?> v = (List<?>) m.get(what), s = (List<?>) m.get(what + "_shape");
        float[] d = new float[v.size()];
        for (int i = 0; i < d.length; i++) d[i] = ((Number) v.get(i)).floatValue();
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = ((Number) s.get(i)).intValue();
        return Tensor.wrap(d, shape);
    }

    /** A vocabulary file reads from a jar as from its file. */
    @Test
    void aVocabularyReadsFromAJar() throws IOException {
        Path v = Files.writeString(dir.resolve("vocabulary.txt"), "\n[UNK]\nthe\ncat\n");
        try (FileSystem fs = FileSystems.newFileSystem(jar(dir, "v.jar", false, v))) {
            assertEquals(List.of("", "[UNK]", "the", "cat"), new TextVectorization().loadVocabulary(fs.getPath("/vocabulary.txt")).vocabulary());
        }
    }

    /** The readers that take a whole file or folder into memory (an .npz's headers, a text folder, a CSV) read a jar's as the file's. */
    @Test
    void npzHeadersTextFoldersAndCsvReadFromAJar() throws IOException {
        Path x = dir.resolve("x.npy"), npz = dir.resolve("a.npz"), csv = Files.writeString(dir.resolve("c.csv"), "a,b\n1,2\n3,4\n");
        Npy.write(x, Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        jar(dir, "a.npz", true, x);   // an .npz is a zip of .npy members, stored as numpy.savez writes them
        Path texts = dir.resolve("t");
        Files.createDirectories(texts.resolve("neg"));
        Files.createDirectories(texts.resolve("pos"));
        Files.writeString(texts.resolve("neg/b.txt"), "bad film");
        Files.writeString(texts.resolve("pos/a.txt"), "good movie");
        for (boolean stored : new boolean[] {true, false}) {
            Path jar = jar(dir, "d" + stored + ".jar", stored, npz, csv);
            try (FileSystem fs = FileSystems.newFileSystem(jar, Map.of())) {
                Files.createDirectories(fs.getPath("/t/neg"));
                Files.createDirectories(fs.getPath("/t/pos"));
                Files.copy(texts.resolve("neg/b.txt"), fs.getPath("/t/neg/b.txt"));
                Files.copy(texts.resolve("pos/a.txt"), fs.getPath("/t/pos/a.txt"));
            }
            try (FileSystem fs = FileSystems.newFileSystem(jar)) {
                Npy.Header h = dev.jrnn.data.Npz.headers(fs.getPath("/a.npz")).get("x");
                assertArrayEquals(new long[] {3, 2}, h.shape(), "stored=" + stored);
                dev.jrnn.data.TextDirectory t = dev.jrnn.data.TextDirectory.read(fs.getPath("/t"),
                        new dev.jrnn.data.TextDirectory.Options().shuffle(false).verbose(false));
                assertEquals(List.of("neg", "pos"), t.classNames());
                assertEquals(List.of("bad film", "good movie"), t.texts());
                assertArrayEquals(new int[] {0, 1}, t.labels());
                assertArrayEquals(new float[] {1, 2, 3, 4}, dev.jrnn.data.Csv.read(fs.getPath("/c.csv")).values().data(), "stored=" + stored);
            }
        }
    }

    /** A damaged file in a jar is refused with the words it is refused with on disk (its name aside). */
    @Test
    void aDamagedFileInAJarIsRefusedAsOnDisk() throws IOException {
        byte[] good = Files.readAllBytes(resource("/dev/jrnn/io/keras/keras3_conv1d.keras"));
        Files.write(dir.resolve("cut.keras"), java.util.Arrays.copyOf(good, good.length / 2));
        Files.write(dir.resolve("junk.h5"), "not a model".getBytes());
        Files.write(dir.resolve("cut.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{'});
        Path jar = jar(dir, "bad.jar", false, dir.resolve("cut.keras"), dir.resolve("junk.h5"), dir.resolve("cut.safetensors"));
        try (FileSystem fs = FileSystems.newFileSystem(jar)) {
            for (String f : List.of("cut.keras", "junk.h5")) {
                String local = assertThrows(IOException.class, () -> Models.load(dir.resolve(f))).getMessage();
                String inJar = assertThrows(IOException.class, () -> Models.load(fs.getPath("/" + f))).getMessage();
                assertEquals(local.replace(dir.resolve(f).toString(), "/" + f), inJar, f);
            }
            try (Model m = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(1))) {
                String local = assertThrows(IOException.class, () -> m.loadWeights(dir.resolve("cut.safetensors"))).getMessage();
                String inJar = assertThrows(IOException.class, () -> m.loadWeights(fs.getPath("/cut.safetensors"))).getMessage();
                assertEquals(local.replace(dir.resolve("cut.safetensors").toString(), "/cut.safetensors"), inJar);
            }
        }
    }

    /**
     * Loading from a jar writes nothing beside it (an application's folder may be read-only): zipfs serves a FileChannel
     * of a member by copying it into a temporary file in the jar's directory, which a .keras opened through one made, and
     * loadWeights of a safetensors file made when it looked at the file's end for a zip's end record.
     */
    @Test
    void loadingFromAJarCreatesNoFileBesideIt() throws Exception {
        String k = "/dev/jrnn/io/keras/", t = "/dev/jrnn/io/torch/";
        Path st = dir.resolve("w.safetensors");   // neither HDF5 nor a zip by its first bytes: loadWeights looks at its end
        try (Model src = new Sequential(new GRU(5).name("gru").inputShape(4, 3), new Dense(1).name("fc"))) {
            src.saveWeights(st);
        }
        // over 64 KiB, after a 1 MB member: zipfs' STORED entry stream skipped from a wrong place before its first read
        // (JDK 25), so the look at the end threw "invalid LOC header" (the lorafix re-review's case)
        Path big = dir.resolve("big.safetensors"), filler = dir.resolve("filler.bin");
        try (Model src = new Sequential(new GRU(100).name("gru").inputShape(4, 30), new Dense(1).name("fc"))) {
            src.saveWeights(big);
        }
        Files.write(filler, new byte[1 << 20]);
        for (boolean stored : new boolean[] {true, false}) {
            Path sub = Files.createDirectories(dir.resolve("w" + stored));
            Path jar = jar(sub, "m.jar", stored, filler, resource(k + "keras3_conv1d.keras"), resource(k + "keras3_conv1d.h5"),
                    resource(t + "gru.pt"), st, big);
            try (FileSystem fs = FileSystems.newFileSystem(jar);
                 java.nio.file.WatchService watch = sub.getFileSystem().newWatchService()) {
                sub.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
                for (String f : List.of("keras3_conv1d.keras", "keras3_conv1d.h5")) {
                    try (Model m = Models.load(fs.getPath("/" + f))) {
                        assertTrue(!m.getWeights().isEmpty(), f);
                    }
                }
                try (Model m = new Sequential(new GRU(5).name("gru").inputShape(4, 3), new Dense(1).name("fc"))) {
                    Models.loadTorchWeights(m, fs.getPath("/gru.pt"));
                    m.loadWeights(fs.getPath("/w.safetensors"));
                }
                try (Model m = new Sequential(new GRU(100).name("gru").inputShape(4, 30), new Dense(1).name("fc"))) {
                    assertTrue(Files.size(fs.getPath("/big.safetensors")) > 65_557, "past the end record's reach");
                    m.loadWeights(fs.getPath("/big.safetensors"));
                }
                java.nio.file.WatchKey key = watch.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS);
                List<String> created = key == null ? List.of() : key.pollEvents().stream().map(e -> String.valueOf(e.context())).toList();
                assertEquals(List.of(), created, "stored=" + stored + ": files created in the jar's directory");
            }
        }
    }

    /**
     * A large member that is no model is refused by its first bytes, read as a stream: zipfs' byte channel of a member
     * would hold all of it in memory for each look (256 MiB of zeros, deflated to about 250 KB in the jar).
     */
    @Test
    void aLargeMemberThatIsNoModelIsRefusedWithoutReadingItWhole() throws IOException {
        Path jar = dir.resolve("zeros.jar");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of("create", "true"));
             var out = Files.newOutputStream(fs.getPath("/model.keras"))) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) out.write(zeros);
        }
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (FileSystem fs = FileSystems.newFileSystem(jar)) {
            long before = threads.getCurrentThreadAllocatedBytes();
            String msg = assertThrows(IOException.class, () -> Models.load(fs.getPath("/model.keras"))).getMessage();
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(msg.contains("neither an HDF5 file nor a zip"), msg);
            assertTrue(allocated < 32L << 20, "allocated " + allocated + " bytes to look at the member's first bytes");
        }
    }

    /**
     * A .keras whose model.weights.h5 has a damaged length field (bytes 4611-4613 of it, a reviewer's case) is refused
     * from a jar with the words it is refused with on disk, where jhdf read through the jar's byte channel asked for
     * about 1.3 GB.
     */
    @Test
    void aKerasFileWithADamagedHdf5LengthIsRefusedFromAJarAsOnDisk() throws IOException {
        byte[] b = Files.readAllBytes(resource("/dev/jrnn/io/keras/keras3_conv1d.keras"));   // model.weights.h5 stored
        int at = -1;
        for (int i = 0; i + 8 <= b.length && at < 0; i++) {
            if (java.util.Arrays.equals(b, i, i + 8, new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}, 0, 8)) at = i;
        }
        assertTrue(at > 0, "the stored model.weights.h5");
        b[at + 4611] = 77;
        b[at + 4612] = (byte) 138;
        b[at + 4613] = 51;
        Path bad = Files.write(dir.resolve("bad.keras"), b);
        String local = assertThrows(IOException.class, () -> Models.load(bad)).getMessage();
        for (boolean stored : new boolean[] {true, false}) {
            try (FileSystem fs = FileSystems.newFileSystem(jar(dir, "bad" + stored + ".jar", stored, bad))) {
                String inJar = assertThrows(IOException.class, () -> Models.load(fs.getPath("/bad.keras"))).getMessage();
                assertEquals(local.replace(bad.toString(), "/bad.keras"), inJar, "stored=" + stored);
            }
        }
    }

    /**
     * A torch.save zip naming a storage record twice: read from a jar (commons-compress over its bytes, which would read
     * the first of the two where java.util.zip on disk reads the last) or from its file, it is refused naming the record.
     */
    @Test
    void aTorchZipNamingAStorageRecordTwiceIsRefusedFromAJar() throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        String twice = null, stand = null;
        try (var in = new java.util.zip.ZipFile(resource("/dev/jrnn/io/torch/gru.pt").toFile());
             var zip = new java.util.zip.ZipOutputStream(out)) {
            byte[] first = null;
            for (java.util.zip.ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                zip.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                zip.write(b);
                if (twice == null && e.getName().matches(".*/data/[0-9]+")) {
                    twice = e.getName();
                    first = b;
                }
            }
            stand = twice.substring(0, twice.length() - 1) + "Z";   // a name of the same length, then renamed below
            zip.putNextEntry(new java.util.zip.ZipEntry(stand));
            zip.write(new byte[first.length]);
        }
        String bytes = new String(out.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1).replace(stand, twice);
        Path dup = Files.write(dir.resolve("dup.pt"), bytes.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        try (FileSystem fs = FileSystems.newFileSystem(jar(dir, "dup.jar", false, dup));
             Model m = new Sequential(new GRU(5).name("gru").inputShape(4, 3), new Dense(1).name("fc"))) {
            String msg = assertThrows(IOException.class, () -> Models.loadTorchWeights(m, fs.getPath("/dup.pt"))).getMessage();
            assertEquals("/dup.pt: the zip holds two records named '" + twice + "'", msg);
            // on disk alike: java.util.zip would have read the last record, silently
            msg = assertThrows(IOException.class, () -> Models.loadTorchWeights(m, dup)).getMessage();
            assertEquals(dup + ": the zip holds two records named '" + twice + "'", msg);
        }
    }

    /** Data sets map their files, which a jar cannot: refused naming the argument and what to do. */
    @Test
    void memoryMappedDataSetsRefuseAJarPathNamingTheArgument() throws IOException {
        Path npy = dir.resolve("x.npy");
        Npy.write(npy, Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        try (FileSystem fs = FileSystems.newFileSystem(jar(dir, "d.jar", false, npy))) {
            Path x = fs.getPath("/x.npy");
            for (var c : List.<org.junit.jupiter.api.function.Executable>of(() -> Dataset.fromNpy(x, npy), () -> Dataset.fromNpy(npy, x),
                    () -> Dataset.fromNpy(List.of(npy), List.of(x)), () -> Dataset.fromNpz(x, List.of("x"), List.of()),
                    () -> Dataset.fromSafetensors(x, List.of("x"), List.of()), () -> Timeseries.of(x, null, 1),
                    () -> Dataset.fromTensors(Tensor.of(new float[] {1}, 1, 1), null).cache(x))) {
                String m = assertThrows(IllegalArgumentException.class, c).getMessage();
                assertTrue(m.contains("lies on a 'jar' file system") && m.contains("copy it to a file of the default file system"), m);
            }
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Dataset.fromNpy(npy, x)).getMessage().startsWith("Dataset.fromNpy: y (/x.npy)"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Dataset.fromNpy(List.of(npy), List.of(x))).getMessage()
                    .startsWith("Dataset.fromNpy: targets[0] (/x.npy)"));
        }
    }

    /**
     * The guide's "Models packaged in a jar" example as written there, over a class loader of a jar holding
     * models/m.keras, and over the classes folder the same resource would lie in.
     */
    @Test
    void theGuidesClasspathResourceExampleLoadsTheModelFromTheJarAndFromAFolder() throws Exception {
        String guide = dev.jrnn.Readme.section("### Models packaged in a jar");
        for (String line : List.of("URI uri = MyService.class.getResource(\"/models/m.keras\").toURI();",
                "if (uri.getScheme().equals(\"jar\")) {", "try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {",
                "model = Models.load(jar.provider().getPath(uri));", "model = Models.load(Path.of(uri));")) {
            assertTrue(guide.contains(line), "the guide's example says " + line);
        }
        Path keras = resource("/dev/jrnn/io/keras/keras3_conv1d.keras");
        Tensor x = Npy.read(resource("/dev/jrnn/io/keras/keras3_conv1d_x.npy"));
        float[] want = Npy.read(resource("/dev/jrnn/io/keras/keras3_conv1d_y.npy")).data();
        Path jar = dir.resolve("app.jar");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of("create", "true"))) {
            Files.createDirectories(fs.getPath("/models"));
            Files.copy(keras, fs.getPath("/models/m.keras"));
        }
        Path folder = Files.createDirectories(dir.resolve("classes/models")).getParent();
        Files.copy(keras, folder.resolve("models/m.keras"));
        for (Path root : List.of(jar, folder)) {
            try (var loader = new java.net.URLClassLoader(new java.net.URL[] {root.toUri().toURL()}, null)) {
                URI uri = loader.getResource("models/m.keras").toURI();
                assertEquals(root == jar ? "jar" : "file", uri.getScheme());
                Model model;
                if (uri.getScheme().equals("jar")) {
                    try (FileSystem jarFs = FileSystems.newFileSystem(uri, Map.of())) {   // open while the file is read
                        model = Models.load(jarFs.provider().getPath(uri));
                    }
                } else {
                    model = Models.load(Path.of(uri));   // run from a classes folder (an IDE, the tests)
                }
                try (model) {
                    float[] y = model.predict(x).data();
                    for (int i = 0; i < want.length; i++) assertEquals(want[i], y[i], 1e-5, uri + ": element " + i);
                }
            }
        }
    }

    /** model.save and saveWeights into a jar's file system: the jar, closed and opened again, loads them back. */
    @Test
    void modelsSavedIntoAJarLoadBackAfterItCloses() throws IOException {
        Path jar = dir.resolve("out.jar");
        Tensor x = Tensor.of(new float[] {.1f, .2f, .3f, .4f, .5f, .6f, .7f, .8f}, 1, 4, 2);
        try (Model src = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(1))) {
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of("create", "true"))) {
                src.save(fs.getPath("/m.keras"));
                src.save(fs.getPath("/m.h5"));
                src.saveWeights(fs.getPath("/w.safetensors"));
                src.saveWeights(fs.getPath("/w.weights.h5"));
            }
            try (FileSystem fs = FileSystems.newFileSystem(jar)) {
                try (var names = Files.list(fs.getPath("/"))) {
                    assertEquals(List.of("/m.h5", "/m.keras", "/w.safetensors", "/w.weights.h5"), names.map(Path::toString).sorted().toList(),
                            "no temporary file left in the jar");
                }
                for (String f : List.of("/m.keras", "/m.h5")) {
                    try (Model m = Models.load(fs.getPath(f))) {
                        assertArrayEquals(src.predict(x).data(), m.predict(x).data(), f);
                    }
                }
                for (String f : List.of("/w.safetensors", "/w.weights.h5")) {
                    try (Model m = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(1))) {
                        m.loadWeights(fs.getPath(f));
                        assertEquals(src.getWeights(), m.getWeights(), f);
                    }
                }
            }
        }
    }
}
