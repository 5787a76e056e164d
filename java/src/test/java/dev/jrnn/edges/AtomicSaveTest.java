package dev.jrnn.edges;

import dev.jrnn.io.AtomicFiles;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An interrupted save (an exception half way, or the process killed) leaves the old file, byte for byte. */
class AtomicSaveTest {

    static Map<String, Tensor> weights(float v, int n) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a/kernel", Tensor.full(v, n, 16));
        m.put("a/bias", Tensor.full(v + 1, 16));
        return m;
    }

    static List<Path> listing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aWriteThatFailsHalfWayLeavesTheOldFileAndNoTempFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("w.safetensors");
        SafeTensors.write(f, weights(1f, 1000), Map.of());
        byte[] old = Files.readAllBytes(f);
        // the second tensor's bytes fail to come: the header and the first tensor are already written
        Map<String, Tensor> failing = new LinkedHashMap<>(weights(2f, 1000)) {
            @Override
            public Collection<Tensor> values() {
                Collection<Tensor> real = super.values();
                return new AbstractCollection<>() {
                    @Override
                    public Iterator<Tensor> iterator() {
                        Iterator<Tensor> it = real.iterator();
                        return new Iterator<>() {
                            int served;

                            @Override
                            public boolean hasNext() { return it.hasNext(); }

                            @Override
                            public Tensor next() {
                                if (served++ == 1) throw new IllegalStateException("disk went away");
                                return it.next();
                            }
                        };
                    }

                    @Override
                    public int size() { return real.size(); }
                };
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SafeTensors.write(f, failing, Map.of()));
        assertEquals("disk went away", e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of(f), listing(dir));
    }

    @Test
    void anIoErrorInTheContentLeavesTheOldFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("data.bin");
        Files.write(f, new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of(f), listing(dir));
    }

    /**
     * A child JVM saves two weight sets alternately, as fast as it can, and is killed (SIGKILL) at
     * some point; whatever moment the kill hits, the file reads back completely as one of the two sets.
     */
    @Test
    void killingTheProcessMidSaveLeavesACompleteFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("w.safetensors");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int round = 0; round < 3; round++) {
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SaveLoop.class.getName(), f.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.exists(f) && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(20);
                assertTrue(Files.exists(f), "the child never saved");
                Thread.sleep(150 + 170L * round);   // land somewhere inside a later save
            } finally {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            Map<String, Tensor> got = SafeTensors.read(f);
            float v = got.get("a/kernel").get(0, 0);
            assertTrue(v == 1f || v == 2f, "kernel value " + v);
            Map<String, Tensor> want = weights(v, SaveLoop.ROWS);
            for (String k : want.keySet()) assertArrayEquals(want.get(k).toArray(), got.get(k).toArray(), k);
        }
    }

    /** The child: saves weights(1) and weights(2) alternately until killed. */
    public static final class SaveLoop {
        static final int ROWS = 1 << 16;   // 4 MiB per save

        public static void main(String[] args) throws IOException {
            Path f = Path.of(args[0]);
            Map<String, Tensor> one = weights(1f, ROWS), two = weights(2f, ROWS);
            for (long i = 0; ; i++) SafeTensors.write(f, (i & 1) == 0 ? one : two, Map.of("i", Long.toString(i)));
        }
    }
}
