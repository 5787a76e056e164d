package dev.jrnn.examples;

import dev.jrnn.data.Npy;
import dev.jrnn.model.History;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainFromNpyTest {
    private static final int F = 4;
    @TempDir Path dir;

    /** {@code n} sequences of lengths in [5, 40]; y is the mean of feature 0, as synthetic.sh writes it. */
    private void write(int n) throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        long[] off = new long[n + 1];
        for (int i = 0; i < n; i++) off[i + 1] = off[i] + r.nextInt(5, 41);
        float[] v = new float[(int) off[n] * F], y = new float[n];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < n; i++) {
            for (long t = off[i]; t < off[i + 1]; t++) y[i] += v[(int) t * F];
            y[i] /= off[i + 1] - off[i];
        }
        Npy.write(dir.resolve("values.npy"), Tensor.of(v, (int) off[n], F));
        Npy.writeInt64(dir.resolve("offsets.npy"), off);
        Npy.write(dir.resolve("y.npy"), Tensor.of(y, n, 1));
    }

    @Test
    void trainsAnLstmFromRaggedNpyFiles() throws IOException {
        write(120);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        History h = TrainFromNpy.train(dir, 2, -1, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(2, h.size(), out);
        assertTrue(h.get("loss").get(1) < h.get("loss").get(0), out);
        assertTrue(Double.isFinite(h.last("val_loss")), out);
        assertTrue(out.contains("120 sequences of 4 features") && out.contains("heap used after epoch 2"), out);
    }

    /**
     * A 600 MB mapped values file (sparse: zeros, written in no time) trains in a JVM of 256 MB heap,
     * over samples drawn from all of it: the data never passes through the heap whole.
     */
    @Test
    void aFileMuchLargerThanTheHeapTrainsInABoundedHeap() throws IOException, InterruptedException {
        long steps = 600L * (1 << 20) / (4 * F), seqs = steps / 100;
        long[] off = new long[(int) seqs + 1];
        for (int i = 1; i <= seqs; i++) off[i] = (long) i * 100;
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("values.npy").toFile(), "rw")) {
            byte[] header = npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (" + steps + ", " + F + "), }");
            f.write(header);
            f.setLength(header.length + steps * F * 4);
        }
        Npy.writeInt64(dir.resolve("offsets.npy"), off);
        Npy.write(dir.resolve("y.npy"), Tensor.zeros((int) seqs, 1));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), TrainFromNpy.class.getName(), dir.toString(), "1", "128"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains(seqs + " sequences") && out.contains("600.0 MB mapped, heap max 256 MB")
                && out.contains("heap used after epoch 1"), out);
        Files.delete(dir.resolve("values.npy"));
    }

    /** A version-1 .npy header of {@code dict}, padded to 64 bytes as NumPy writes it. */
    private static byte[] npyHeader(String dict) {
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        StringBuilder b = new StringBuilder(dict);
        while (10 + b.length() + 1 < total) b.append(' ');
        b.append('\n');
        byte[] d = b.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] h = new byte[10 + d.length];
        h[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.ISO_8859_1), 0, h, 1, 5);
        h[6] = 1;
        h[8] = (byte) d.length;
        h[9] = (byte) (d.length >> 8);
        System.arraycopy(d, 0, h, 10, d.length);
        return h;
    }
}
