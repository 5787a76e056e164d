package dev.jrnn.io;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    static Sequential rnnDense(long seed) {
        Jrnn.clearSession();
        Jrnn.setSeed(seed);
        return new Sequential(new SimpleRNN(3).inputShape(2, 10), new Dense(1));
    }

    @Test
    void saveLoadRoundTripsBitExactly(@TempDir Path dir) throws IOException {
        Sequential a = rnnDense(1);
        Path f = dir.resolve("w.safetensors");
        a.saveWeights(f);
        Sequential b = rnnDense(2);
        b.loadWeights(f);
        List<Tensor> wa = a.getWeights(), wb = b.getWeights();
        assertEquals(wa.size(), wb.size());
        for (int i = 0; i < wa.size(); i++) {
            float[] x = wa.get(i).toArray(), y = wb.get(i).toArray();
            for (int k = 0; k < x.length; k++) assertEquals(Float.floatToRawIntBits(x[k]), Float.floatToRawIntBits(y[k]));
        }
        Tensor in = Tensor.full(0.5f, 2, 2, 10);
        assertArrayEquals(a.predict(in).toArray(), b.predict(in).toArray());
        // saving again replaces the file and leaves no temp file behind
        b.saveWeights(f);
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void headerIsTheDocumentedLayout(@TempDir Path dir) throws IOException {
        Sequential m = rnnDense(3);
        Path f = dir.resolve("m.safetensors");
        m.saveWeights(f);
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        String json = "{\"__metadata__\":{\"format\":\"jrnn\",\"model\":\"sequential\"},"
                + "\"simple_rnn/kernel\":{\"dtype\":\"F32\",\"shape\":[10,3],\"data_offsets\":[0,120]},"
                + "\"simple_rnn/recurrent_kernel\":{\"dtype\":\"F32\",\"shape\":[3,3],\"data_offsets\":[120,156]},"
                + "\"simple_rnn/bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[156,168]},"
                + "\"dense/kernel\":{\"dtype\":\"F32\",\"shape\":[3,1],\"data_offsets\":[168,180]},"
                + "\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[180,184]}}";
        assertEquals(json, header.stripTrailing());
        assertTrue(header.substring(json.length()).isBlank());
        assertEquals(8 + n + 184, bytes.length);
        // the data: little-endian float32, in header order
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + n), 184).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor w : m.getWeights()) for (float v : w.toArray()) assertEquals(v, data.getFloat());
        assertEquals(Map.of("format", "jrnn", "model", "sequential"), SafeTensors.readMetadata(f));
    }

    @Test
    void kerasNamesForStackedAndBidirectionalModels() {
        Sequential m = new Sequential(
                new Bidirectional(new LSTM(2).returnSequences(true)).inputShape(3, 1),
                new LSTM(2), new Dense(1));
        assertEquals(List.of(
                "bidirectional/forward_lstm/kernel", "bidirectional/forward_lstm/recurrent_kernel", "bidirectional/forward_lstm/bias",
                "bidirectional/backward_lstm/kernel", "bidirectional/backward_lstm/recurrent_kernel", "bidirectional/backward_lstm/bias",
                "lstm_1/kernel", "lstm_1/recurrent_kernel", "lstm_1/bias", "dense/kernel", "dense/bias"), m.weightNames());
    }

    @Test
    void loadRejectsMismatchesAndChangesNothing(@TempDir Path dir) throws IOException {
        Sequential m = rnnDense(4);
        List<Tensor> before = m.getWeights();
        Path f = dir.resolve("x.safetensors");
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("simple_rnn/kernel", Tensor.zeros(10, 3));
        w.put("other/bias", Tensor.zeros(1));
        SafeTensors.write(f, w, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(f));
        assertTrue(e.getMessage().contains("missing [simple_rnn/recurrent_kernel, simple_rnn/bias, dense/kernel, dense/bias]"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected [other/bias]"), e.getMessage());

        Map<String, Tensor> bad = new LinkedHashMap<>();
        for (String name : m.weightNames()) bad.put(name, Tensor.zeros(1));
        SafeTensors.write(f, bad, null);
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(f));
        assertTrue(s.getMessage().contains("simple_rnn/kernel expected shape (10, 3), got (1,)"), s.getMessage());
        List<Tensor> after = m.getWeights();
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).toArray(), after.get(i).toArray());
    }

    /** A file written by hand (as PyTorch would) with F64, F16 and BF16 tensors. */
    @Test
    void readsOtherDtypesWrittenByHand(@TempDir Path dir) throws IOException {
        String json = "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[16,20]},"
                + "\"c\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[20,22]}}";
        ByteBuffer bb = ByteBuffer.allocate(8 + json.length() + 22).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(json.length()).put(json.getBytes(StandardCharsets.US_ASCII));
        bb.putDouble(1.5).putDouble(-2.25);
        bb.putShort(Float.floatToFloat16(0.5f)).putShort(Float.floatToFloat16(-3f));
        bb.putShort((short) (Float.floatToRawIntBits(2f) >>> 16));
        Path f = dir.resolve("h.safetensors");
        Files.write(f, bb.array());
        Map<String, Tensor> m = SafeTensors.read(f);
        assertEquals(List.of("a", "b", "c"), List.copyOf(m.keySet()));
        assertArrayEquals(new float[] {1.5f, -2.25f}, m.get("a").toArray());
        assertArrayEquals(new int[] {1, 2}, m.get("b").shape());
        assertArrayEquals(new float[] {0.5f, -3f}, m.get("b").toArray());
        assertArrayEquals(new float[] {2f}, m.get("c").toArray());
    }

    @Test
    void malformedFilesGiveClearErrors(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertTrue(assertThrows(IOException.class, () -> SafeTensors.read(f)).getMessage().contains("shorter than the 8-byte header length"));
        ByteBuffer bb = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).putLong(0);
        Files.write(f, bb.array());
        assertTrue(assertThrows(IOException.class, () -> SafeTensors.read(f)).getMessage().contains("invalid safetensors header length 1000"));
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        ByteBuffer b2 = ByteBuffer.allocate(8 + json.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
        b2.putLong(json.length()).put(json.getBytes(StandardCharsets.US_ASCII));
        Files.write(f, b2.array());
        assertTrue(assertThrows(IOException.class, () -> SafeTensors.read(f)).getMessage().contains("needs 12 bytes, data_offsets span 8"));
        String js = "{\"a\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        ByteBuffer b3 = ByteBuffer.allocate(8 + js.length() + 1).order(ByteOrder.LITTLE_ENDIAN);
        b3.putLong(js.length()).put(js.getBytes(StandardCharsets.US_ASCII));
        Files.write(f, b3.array());
        assertTrue(assertThrows(IOException.class, () -> SafeTensors.read(f)).getMessage().contains("dtype I8"));
        String broken = "{\"a\":";
        ByteBuffer b4 = ByteBuffer.allocate(8 + broken.length()).order(ByteOrder.LITTLE_ENDIAN);
        b4.putLong(broken.length()).put(broken.getBytes(StandardCharsets.US_ASCII));
        Files.write(f, b4.array());
        assertTrue(assertThrows(IOException.class, () -> SafeTensors.read(f)).getMessage().contains("malformed safetensors header"));
    }

    /** A tensor of more than 2 GiB (F64, 2^28 + 1 values: 1 GiB as float32) in a sparse file reads in chunks. */
    @Test
    void aTensorOverTwoGibReadsInChunks(@TempDir Path dir) throws IOException {
        int n = (1 << 28) + 1;
        long bytes = 8L * n;
        String json = "{\"big\":{\"dtype\":\"F64\",\"shape\":[" + n + "],\"data_offsets\":[0," + bytes + "]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("big.safetensors");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            raf.write(h);
            long data = 8 + h.length;
            raf.setLength(data + bytes);   // sparse: zeros cost no disk
            raf.seek(data + 8L * ((1 << 27) + 3));   // a value past the first GiB of data
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(-2.5).array());
            raf.seek(data + bytes - 8);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.5).array());
        }
        float[] d = SafeTensors.read(f).get("big").data();
        assertEquals(n, d.length);
        assertEquals(1.5f, d[n - 1]);
        assertEquals(-2.5f, d[(1 << 27) + 3]);
        assertEquals(0f, d[(1 << 27) + 2]);
        assertEquals(0f, d[0]);
    }

    @Test
    void aFifoIsRefusedBeforeOpeningInsteadOfHanging(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("pipe.safetensors");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            for (org.junit.jupiter.api.function.Executable read : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> SafeTensors.read(fifo), () -> SafeTensors.shapes(fifo), () -> SafeTensors.readMetadata(fifo))) {
                IOException e = assertThrows(IOException.class, read);
                assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
            }
        });
    }

    @Test
    void badNamesAndNullMetadataEntriesAreRefusedBeforeWriting(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("w.safetensors");
        Map<String, Tensor> t = Map.of("w", Tensor.zeros(2));
        Map<String, String> nullValue = new java.util.HashMap<>();
        nullValue.put("k", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, t, nullValue));
        assertTrue(e.getMessage().contains("metadata entry k=null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of("a\uDC00", Tensor.zeros(1)), null));
        assertTrue(e.getMessage().contains("lone surrogate"), e.getMessage());
        assertTrue(Files.notExists(f));
        SafeTensors.write(f, t, null);   // null metadata: none
        assertEquals(Map.of(), SafeTensors.readMetadata(f));
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(null));
        assertTrue(e.getMessage().contains("file is null"), e.getMessage());
    }
}
