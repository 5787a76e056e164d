package dev.jrnn.io;

import dev.jrnn.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file-system edges of an atomic save: links, long names, special and read-only files, crash leftovers. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private static void save(Path f, byte... bytes) throws IOException {
        AtomicFiles.write(f, out -> out.write(bytes));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSymlinkIsWrittenThroughAndStaysALink() throws IOException {
        Path target = dir.resolve("real.bin");
        save(target, (byte) 1);
        Path link = dir.resolve("link.bin");
        Files.createSymbolicLink(link, Path.of("real.bin"));   // relative, as ln -s makes them
        save(link, (byte) 2, (byte) 3);
        assertTrue(Files.isSymbolicLink(link), "the link was replaced by a file");
        assertArrayEquals(new byte[] {2, 3}, Files.readAllBytes(target));
        Path dangling = dir.resolve("dangling.bin");
        Files.createSymbolicLink(dangling, Path.of("sub", "new.bin"));
        // its target's directory is not made (as Python's open); once it exists, the target is created
        assertThrows(java.nio.file.NoSuchFileException.class, () -> save(dangling, (byte) 4));
        assertFalse(Files.exists(dir.resolve("sub")));
        Files.createDirectory(dir.resolve("sub"));
        save(dangling, (byte) 4);
        assertTrue(Files.isSymbolicLink(dangling));
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(dir.resolve("sub/new.bin")));
    }

    @Test
    void namesUpTo255BytesCanBeSaved() throws IOException {
        for (String name : List.of("a".repeat(255), "\u00e9".repeat(127), "b".repeat(230))) {
            Path f = dir.resolve(name);
            save(f, (byte) 7);
            assertArrayEquals(new byte[] {7}, Files.readAllBytes(f));
            save(f, (byte) 8);   // replacing works too
            assertArrayEquals(new byte[] {8}, Files.readAllBytes(f));
        }
        assertEquals(3, names().size(), "no temp file left: " + names());
    }

    @Test
    void aFifoIsNeitherReplacedNorOpened() throws Exception {
        Path fifo = dir.resolve("w.bin");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            IOException e = assertThrows(IOException.class, () -> save(fifo, (byte) 1));
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
            e = assertThrows(IOException.class, () -> AtomicFiles.requireRegularFile(fifo, "a weights file"));
            assertTrue(e.getMessage().endsWith("not a weights file"), e.getMessage());
        });
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class).isOther(), "the FIFO was replaced");
        assertEquals(List.of("w.bin"), names());
    }

    @Test
    void aReadOnlyFileIsNotReplaced() throws IOException {
        Path f = dir.resolve("ro.bin");
        save(f, (byte) 1);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
        IOException e = assertThrows(IOException.class, () -> save(f, (byte) 2));
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(f));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(List.of("ro.bin"), names());
    }

    /**
     * System.exit during a save (here from inside it, the moment a real exit would land): the shutdown hook removes the
     * save's temp and scratch files, and the old file stays (they stayed, one nearly the model's size, until a later save
     * of that file 15 minutes on). Runtime.halt and kill -9 run no hook: those leave them, as the GUIDE says.
     */
    @Test
    void anOrderlyExitDuringASaveLeavesNoTempFile() throws Exception {
        Path f = dir.resolve("m.keras");
        save(f, new byte[] {1, 2, 3});
        ChildJvm.Result r = ChildJvm.run(dir, ChildJvm.jrnnFlags(), ExitDuringSave.class, f.toString());
        assertEquals(3, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("temp and scratch written"), r.out() + r.err());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("m.keras"), s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("child")).sorted().toList());
        }
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f), "the old file stays");
    }

    /** Saves over its argument, and exits the JVM half-way, a scratch file made and both files written to. */
    public static final class ExitDuringSave {
        public static void main(String[] args) throws IOException {
            AtomicFiles.write(Path.of(args[0]), out -> {
                out.write(new byte[1 << 20]);
                out.flush();
                Files.write(AtomicFiles.scratch(), new byte[1 << 20]);
                System.out.println("temp and scratch written");
                System.out.flush();
                System.exit(3);
            });
        }
    }

    /**
     * A pre-emptible job: on exit, the application's own shutdown hook stops the worker and join()s it while it writes a
     * last checkpoint. The worker is alive and not a daemon, so jrnn's hook leaves its temp file (it deleted it, and the
     * final save failed with a NoSuchFileException) and the save completes.
     */
    @Test
    void aSaveThatAUserShutdownHookWaitsForCompletes() throws Exception {
        Path f = dir.resolve("final.bin");
        save(f, new byte[] {1, 2, 3});
        ChildJvm.Result r = ChildJvm.run(dir, ChildJvm.jrnnFlags(), HookJoinsSave.class, f.toString());
        assertEquals(0, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("final save ok"), r.out() + r.err());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("final.bin"), s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("child")).sorted().toList());
        }
        assertEquals(2 << 20, Files.size(f), "the final save replaced the file");
    }

    /** Saves its argument on a worker that a shutdown hook stops and joins; exits while the save is under way. */
    public static final class HookJoinsSave {
        public static void main(String[] args) throws Exception {
            java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
            Thread worker = Thread.ofPlatform().name("trainer").unstarted(() -> {
                try {
                    AtomicFiles.write(Path.of(args[0]), out -> {
                        out.write(new byte[1 << 20]);
                        out.flush();
                        writing.countDown();
                        try {
                            stop.await();
                            Thread.sleep(500);   // jrnn's hook runs meanwhile
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        out.write(new byte[1 << 20]);
                    });
                    System.out.println("final save ok");
                } catch (IOException | RuntimeException e) {
                    System.out.println("final save FAILED: " + e);
                }
                System.out.flush();
            });
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            worker.start();
            writing.await();
            System.exit(0);
        }
    }

    @Test
    void staleTempFilesOfTheSameTargetAreCleanedByTheNextSave() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Path stale = Files.write(dir.resolve(".w.safetensors.0123456789abc.tmp"), new byte[] {9});
        Path fresh = Files.write(dir.resolve(".w.safetensors.00000000abcde.tmp"), new byte[] {9});   // a save in progress
        Path other = Files.write(dir.resolve(".x.safetensors.0123456789abc.tmp"), new byte[] {9});   // another target's
        Path notOurs = Files.write(dir.resolve(".w.safetensors.notes.txt"), new byte[] {9});
        // a user's own files of the temp files' shape ("old", "backup": base-36 words): the sweep deleted them
        Path usersOld = Files.write(dir.resolve(".w.safetensors.old.tmp"), new byte[] {9});
        Path usersBackup = Files.write(dir.resolve(".w.safetensors.backup.tmp"), new byte[] {9});
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - AtomicFiles.STALE_TEMP.toMillis() - 60_000);
        for (Path p : List.of(stale, other, notOurs, usersOld, usersBackup)) Files.setLastModifiedTime(p, old);
        save(f, (byte) 1);
        assertTrue(Files.notExists(stale), "the crash leftover was not removed");
        assertTrue(Files.exists(fresh) && Files.exists(other) && Files.exists(notOurs), names().toString());
        assertTrue(Files.exists(usersOld) && Files.exists(usersBackup), "a user's own .tmp file was swept: " + names());
    }

    @Test
    void tempPrefixFitsTheNameLimitOnACharacterBoundary() {
        String p = AtomicFiles.tempPrefix("\uD83D\uDE00".repeat(100));   // 4 bytes each
        int bytes = p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        assertTrue(bytes + 13 + 4 <= AtomicFiles.NAME_MAX, "prefix of " + bytes + " bytes");
        assertEquals(0, (bytes - 2) % 4, "cut inside a character");
        assertEquals(".w.bin.", AtomicFiles.tempPrefix("w.bin"));
    }
}
