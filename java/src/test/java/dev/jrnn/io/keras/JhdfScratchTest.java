package dev.jrnn.io.keras;

import dev.jrnn.io.AtomicFiles;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jhdf writes HDF5 to a path only, so every .keras / .h5 / .weights.h5 save passes through a scratch file. It lies beside
 * the target, so a save needs only the destination's folder: Keras 3.15.1 saves all three with TMPDIR pointing at a
 * missing folder (the platform tester's k_tmpenv.py printed "OK m.keras", "OK m.h5", "OK m.weights.h5"), and its .h5 and
 * .weights.h5 saves use no temp folder at all (k_rotmp.py).
 */
class JhdfScratchTest {

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * This JVM's class path for the child: java.class.path, and the entries of the class loader that loaded this test
     * where that is not the system one (JUnit's console launcher, as ci/gpu-all.sh runs it, loads the classes given by
     * its -cp through a loader of its own, so java.class.path holds only the launcher's jar).
     */
    private static String classPath() throws Exception {
        List<String> cp = new ArrayList<>(List.of(System.getProperty("java.class.path")));
        for (ClassLoader l = JhdfScratchTest.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof java.net.URLClassLoader u) {
                for (java.net.URL url : u.getURLs()) cp.add(Path.of(url.toURI()).toString());
            }
        }
        return String.join(java.io.File.pathSeparator, cp);
    }

    @Test
    void everyKerasSaveWorksWithJavaIoTmpdirMissing(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-such-tmp");
        Path out = Files.createDirectory(dir.resolve("out"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // java.io.tmpdir is read once at JVM start-up (Files.createTempFile keeps it): a child JVM of its own
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Djava.io.tmpdir=" + missing,
                "-cp", classPath(), SaveAll.class.getName(), out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        // wait first (output to a file, not a pipe read to its end), so a hung child fails the test instead of hanging it
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly();
        String log = Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
        assertTrue(ended, "child did not end: " + log);
        assertEquals(0, p.exitValue(), log);
        for (String f : SaveAll.FILES) assertTrue(log.contains("OK " + f), log);
        assertEquals(SaveAll.FILES.stream().sorted().toList(), names(out), "only the saved files, no scratch file left");
        assertTrue(!Files.exists(missing), "nothing made in java.io.tmpdir");
    }

    @Test
    void aFailingHdf5WriteLeavesNoScratchBesideTheTarget(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("w.h5");
        Files.write(target, new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> out.write(JhdfEmptyGroups.written(h -> {
            h.putGroup("a").putDataset("x", new float[] {1, 2});
            // the scratch file exists now, beside the target
            assertEquals(2, names(dir).stream().filter(n -> n.startsWith(".w.h5.")).count(), "temp and scratch beside the target");
            throw new IOException("stop half way");
        }))));
        assertEquals("stop half way", e.getMessage());
        assertEquals(List.of("w.h5"), names(dir));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target), "the previous file is unchanged");
    }

    /** The descriptors this process holds open on {@code file} (Linux: /proc/self/fd). */
    private static long openOn(Path file) throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (IOException e) {
                    return false;   // the listing's own descriptor, closed by now
                }
            }).count();
        }
    }

    /**
     * A full disk (the leaks tester's D1: 200 KiB tmpfs): jhdf's close flushes and throws before it closes its channel,
     * so each failed save kept a descriptor on the deleted scratch file, and its disk space, until a GC. /dev/full
     * fails every write with ENOSPC, as a full disk does.
     */
    @Test
    void aFullDiskLeavesNoDescriptorOpenOnTheScratchFile(@TempDir Path dir) throws IOException {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")) && Files.exists(full), "Linux only");
        long before = openOn(full);
        for (int i = 0; i < 3; i++) {
            Path tmp = Files.createSymbolicLink(dir.resolve("scratch" + i + ".h5"), full);
            IOException e = assertThrows(IOException.class, () -> JhdfEmptyGroups.written(h -> h.putGroup("a").putDataset("x", new float[] {1, 2}), tmp));
            assertTrue(e.getMessage().contains("writing HDF5 to " + tmp) && e.getMessage().contains("No space left on device"), e.getMessage());
            assertTrue(!Files.exists(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the scratch file is gone");
        }
        assertEquals(before, openOn(full), "no descriptor left open on the failed scratch files");
    }

    /** Content that fails half way is not flushed (its file is given up) and its channel is closed all the same. */
    @Test
    void contentThatFailsLeavesNoDescriptorOpen(@TempDir Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux only");
        Path tmp = dir.resolve("scratch.h5");
        long[] during = new long[1];
        RuntimeException e = assertThrows(IllegalStateException.class, () -> JhdfEmptyGroups.written(h -> {
            h.putDataset("x", new float[] {1, 2});
            during[0] = openOn(tmp);
            throw new IllegalStateException("half way");
        }, tmp));
        assertEquals("half way", e.getMessage());
        assertEquals(1, during[0], "jhdf holds the scratch file open while the content is put");
        assertTrue(!Files.exists(tmp), "the scratch file is gone");
        // the descriptor points at the deleted path now ("... (deleted)"): none may point at either form
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            assertEquals(0, s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith(tmp.toString());
                } catch (IOException x) {
                    return false;
                }
            }).count(), "no descriptor left open on the scratch file");
        }
    }

    /** The child: saves one model in the three HDF5-carrying formats into args[0] and loads each back. */
    public static final class SaveAll {
        static final List<String> FILES = List.of("m.keras", "m.h5", "m.weights.h5");

        public static void main(String[] args) throws IOException {
            Path out = Path.of(args[0]);
            Sequential m = new Sequential(new LSTM(2).inputShape(3, 2), new Dense(1));
            m.compile("adam", "mse");
            Tensor x = Tensor.of(new float[][][] {{{0.1f, -0.2f}, {0.3f, 0.4f}, {-0.5f, 0.6f}}});
            float want = m.predict(x).get(0, 0);
            for (String f : FILES) {
                Path file = out.resolve(f);
                float got;
                if (f.endsWith(".weights.h5")) {
                    m.saveWeights(file);
                    Sequential n = new Sequential(new LSTM(2).inputShape(3, 2), new Dense(1));
                    n.loadWeights(file);
                    got = n.predict(x).get(0, 0);
                } else {
                    m.save(file);
                    Model n = Models.load(file);
                    got = n.predict(x).get(0, 0);
                }
                System.out.println((got == want ? "OK " : "DIFFERENT ") + f);
            }
        }
    }
}
