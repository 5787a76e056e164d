package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a bad-input case runs against: a compiled model (LSTM(4) on (3, 2) then Dense(1), Keras names
 * "lstm" and "dense"), its weights saved in {@code good.safetensors}, and helpers that write further
 * files and build other models. Everything it hands out is remembered (weights bit patterns, optimizer
 * iterations, file bytes) so {@link #assertUntouched()} can prove a failed call changed nothing.
 */
final class Fixture {
    final Path dir;
    final Sequential model;
    final Path good;
    /** The model's weights file layout: name -> [shape..], in order; 117 floats = 468 data bytes. */
    static final String[][] LAYOUT = {
            {"lstm/kernel", "2,16"}, {"lstm/recurrent_kernel", "4,16"}, {"lstm/bias", "16"},
            {"dense/kernel", "4,1"}, {"dense/bias", "1"}};
    static final int DATA_BYTES = 468;

    private final Map<Object, List<int[]>> weights = new IdentityHashMap<>();
    private final Map<Object, Long> iterations = new IdentityHashMap<>();
    private final Map<Path, byte[]> files = new LinkedHashMap<>();
    private final List<Path> dirs = new ArrayList<>();

    Fixture(Path dir) {
        this.dir = dir;
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(7);
        model = new Sequential(new LSTM(4).inputShape(3, 2), new Dense(1));
        model.compile("adam", "mse");
        good = dir.resolve("good.safetensors");
        try {
            model.saveWeights(good);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        track(model);
        files.put(good, read(good));
    }

    // ------------------------------------------------------------------ data

    /** x (n, 3, 2) of small finite values. */
    static Tensor x(int n) {
        float[] d = new float[n * 6];
        for (int i = 0; i < d.length; i++) d[i] = (float) Math.sin(0.37 * i);
        return Tensor.of(d, n, 3, 2);
    }

    /** y (n, 1). */
    static Tensor y(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = 0.1f * i;
        return Tensor.of(d, n, 1);
    }

    /** {@code t} with element {@code flat} replaced by {@code v}. */
    static Tensor with(Tensor t, int flat, float v) {
        float[] d = t.toArray();
        d[flat] = v;
        return Tensor.of(d, t.shape());
    }

    // ------------------------------------------------------------------ remembered objects

    /** Remembers a model's or a built layer's weights (and a model's optimizer iterations). */
    <T> T track(T modelOrLayer) {
        List<Tensor> w = modelOrLayer instanceof Model m ? m.getWeights() : ((Layer) modelOrLayer).getWeights();
        List<int[]> bits = new ArrayList<>();
        for (Tensor t : w) bits.add(bits(t));
        weights.put(modelOrLayer, bits);
        if (modelOrLayer instanceof Model m && m.optimizer() != null) iterations.put(m, m.optimizer().iterations());
        return modelOrLayer;
    }

    /** A model built by {@code make} in this fixture's session, remembered. */
    <T extends Model> T model(Supplier<T> make) {
        return track(make.get());
    }

    /** Writes {@code bytes} to {@code name} in the fixture directory and remembers them. */
    Path file(String name, byte[] bytes) {
        Path p = dir.resolve(name);
        try {
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.put(p, bytes.clone());
        return p;
    }

    /** Remembers a directory the case made on purpose (it must still be there, nothing else added). */
    void trackDir(Path d) {
        dirs.add(d);
    }

    /** The fixture directory's own name. */
    String dirName() {
        return dir.getFileName().toString();
    }

    /** Writes a safetensors file from a header and data bytes (header length as given by the header). */
    Path st(String json, byte[] data) {
        return file("bad.safetensors", safetensors(json, data));
    }

    Path st(String json, int dataBytes) {
        return st(json, new byte[dataBytes]);
    }

    static byte[] safetensors(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    /** The header of a file with the model's layout; {@code edit} rewrites entry i's JSON (null keeps it). */
    static String header(java.util.function.BiFunction<Integer, String, String> edit) {
        StringBuilder b = new StringBuilder("{");
        long off = 0;
        boolean first = true;
        for (int i = 0; i < LAYOUT.length; i++) {
            long n = 1;
            for (String d : LAYOUT[i][1].split(",")) n *= Long.parseLong(d);
            String e = entry(LAYOUT[i][0], "F32", "[" + LAYOUT[i][1] + "]", off, off + 4 * n);
            off += 4 * n;
            String ed = edit == null ? e : edit.apply(i, e);
            if (ed == null || ed.isEmpty()) continue;
            if (!first) b.append(',');
            first = false;
            b.append(ed);
        }
        return b.append('}').toString();
    }

    static String header() {
        return header(null);
    }

    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    /** The good file's bytes. */
    byte[] goodBytes() {
        return files.get(good).clone();
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] bits(Tensor t) {
        float[] d = t.toArray();
        int[] b = new int[d.length];
        for (int i = 0; i < d.length; i++) b[i] = Float.floatToRawIntBits(d[i]);
        return b;
    }

    // ------------------------------------------------------------------ the check

    /** Every remembered model/layer has its weights bit for bit, every file its bytes, and no file was added. */
    void assertUntouched() {
        for (Map.Entry<Object, List<int[]>> e : weights.entrySet()) {
            Object o = e.getKey();
            List<Tensor> now = o instanceof Model m ? m.getWeights() : ((Layer) o).getWeights();
            assertEquals(e.getValue().size(), now.size(), o + ": weight count changed");
            for (int i = 0; i < now.size(); i++) assertArrayEquals(e.getValue().get(i), bits(now.get(i)), o + ": weight " + i + " changed");
        }
        for (Map.Entry<Object, Long> e : iterations.entrySet()) {
            assertEquals(e.getValue(), ((Model) e.getKey()).optimizer().iterations(), e.getKey() + ": optimizer stepped");
        }
        for (Map.Entry<Path, byte[]> e : files.entrySet()) {
            assertArrayEquals(e.getValue(), read(e.getKey()), e.getKey() + " changed");
        }
        try (var s = Files.list(dir)) {
            List<Path> now = new ArrayList<>(s.sorted().toList());
            List<Path> want = new ArrayList<>(files.keySet());
            want.addAll(dirs);
            want.sort(null);
            assertEquals(want, now, "files were added or removed (temp files left behind?)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "Fixture" + Arrays.toString(new Object[] {dir});
    }
}
