package dev.jrnn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a read of a file that changes under it ends in: an IOException naming the file, never the JVM's InternalError. */
class FileFaultsTest {
    @TempDir
    Path tmp;

    private Path file(int bytes) throws IOException {
        Path p = tmp.resolve("f.bin");
        Files.write(p, new byte[bytes]);
        return p;
    }

    @Test
    void aMappedPageCutOffUnderAReadIsAnIOException() throws IOException {
        Path p = file(1 << 20);
        IOException e = assertThrows(IOException.class, () -> FileFaults.read(p, () -> {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, 1 << 20);
                ch.truncate(100);   // map, cut, then read: the page at 512 KiB is gone
                return b.get(1 << 19);
            }
        }));
        assertTrue(e.getMessage().startsWith(p + ": " + FileFaults.CHANGED + ": expected the file as it was when the read began ("),
                e.getMessage());
        assertTrue(e.getMessage().contains(", found a mapped page gone and 100 bytes, modified ")
                && e.getMessage().endsWith(" (written in place or replaced by another thread or process: open and read it again once "
                + "that write is done)"), e.getMessage());
        assertTrue(e.getCause() instanceof InternalError && FileFaults.isMappedFault(e.getCause()), String.valueOf(e.getCause()));
    }

    @Test
    void aFailureWhileTheFileChangedSaysSo() throws IOException {
        Path p = file(64);
        IOException e = assertThrows(IOException.class, () -> FileFaults.read(p, () -> {
            Files.write(p, new byte[8], StandardOpenOption.APPEND);   // another writer, in place
            throw new IllegalStateException("jhdf: bad object header");
        }));
        assertTrue(e.getMessage().startsWith(p + ": " + FileFaults.CHANGED), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalStateException);
    }

    @Test
    void aReadThatSucceedsWhileTheFileIsWrittenInPlaceIsRefusedAndItsResultClosed() throws IOException {
        Path p = file(64);
        boolean[] closed = new boolean[1];
        IOException e = assertThrows(IOException.class, () -> FileFaults.read(p, () -> {
            Files.write(p, new byte[8], StandardOpenOption.APPEND);
            return (AutoCloseable) () -> closed[0] = true;
        }));
        assertTrue(e.getMessage().startsWith(p + ": " + FileFaults.CHANGED), e.getMessage());
        assertTrue(closed[0], "the result is closed");
    }

    @Test
    void aFileRenamedOverThePathWhileReadIsReadAgain() throws IOException {
        Path p = file(64);
        Path next = tmp.resolve("next.bin");
        Files.write(next, new byte[32]);
        // as a save replaces a file (temp file + rename): a reader that opens the path twice could mix both, so the
        // read is done again, on the new file (ext4 may even give it the old one's inode number)
        int[] reads = {0};
        assertEquals(32, FileFaults.read(p, () -> {
            reads[0]++;
            byte[] b = Files.readAllBytes(p);
            if (Files.exists(next)) Files.move(next, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return b.length;
        }));
        assertEquals(2, reads[0]);
    }

    /**
     * A try that is read again drops its warnings: the read warns once, from the try that gave its result; a warning of a
     * nested read goes to the read around it; outside any read, a warning is logged at once.
     */
    @Test
    void aReadThatIsReadAgainWarnsOnlyFromTheTryThatGaveItsResult() throws Exception {
        Path p = file(64);
        Path next = tmp.resolve("next.bin");
        Files.write(next, new byte[32]);
        int[] reads = {0};
        java.util.List<String> warnings = dev.jrnn.LogCapture.warnings("dev.jrnn.io.test", () -> assertEquals(32, FileFaults.read(p, () -> {
            int n = ++reads[0];
            FileFaults.warn("dev.jrnn.io.test", "outer " + n);
            byte[] b = FileFaults.read(p, () -> {
                FileFaults.warn("dev.jrnn.io.test", "inner " + n);
                return Files.readAllBytes(p);
            });
            if (Files.exists(next)) Files.move(next, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return b.length;
        })));
        assertEquals(2, reads[0]);
        assertEquals(java.util.List.of("outer 2", "inner 2"), warnings);
        assertEquals(java.util.List.of("now"), dev.jrnn.LogCapture.warnings("dev.jrnn.io.test", () -> FileFaults.warn("dev.jrnn.io.test", "now")));
    }

    /**
     * A read that fails logs none of its warnings, nor those of a read inside it that succeeded (before, both were logged
     * and then the failure thrown): they are of a model or weights the caller never gets. Its exception carries them as
     * suppressed warnings (before this, they were dropped: one may be the only word on why the read failed).
     */
    @Test
    void aReadThatFailsLogsNoneOfItsWarnings() throws Exception {
        Path p = file(64);
        IllegalStateException thrown = new IllegalStateException("fails its CRC-32 check");
        java.util.List<String> warnings = dev.jrnn.LogCapture.warnings("dev.jrnn.io.test", () -> assertSame(thrown,
                assertThrows(IllegalStateException.class, () -> FileFaults.read(p, () -> {
                    FileFaults.warn("dev.jrnn.io.test", "outer");
                    FileFaults.read(p, () -> {
                        FileFaults.warn("dev.jrnn.io.test", "inner");
                        return 1;
                    });
                    throw thrown;
                }))));
        assertEquals(java.util.List.of(), warnings);
        // not lost: the exception carries them, the outer read's and the inner one's, each a stackless FileFaults.Warning
        assertEquals(java.util.List.of("outer", "inner"), java.util.Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList());
        assertTrue(java.util.Arrays.stream(thrown.getSuppressed()).allMatch(w -> w instanceof FileFaults.Warning && w.getStackTrace().length == 0));
        assertEquals(java.util.List.of("outer", "inner"), dev.jrnn.LogCapture.warnings("dev.jrnn.io.test", () -> FileFaults.read(p, () -> {
            FileFaults.warn("dev.jrnn.io.test", "outer");
            return FileFaults.read(p, () -> {
                FileFaults.warn("dev.jrnn.io.test", "inner");
                return 1;
            });
        })));
    }

    @Test
    void aFailureOfAnUnchangedFileGoesOnAsItIs() throws IOException {
        Path p = file(64);
        IllegalStateException thrown = new IllegalStateException("not a Keras file");
        assertSame(thrown, assertThrows(IllegalStateException.class, () -> FileFaults.read(p, () -> {
            throw thrown;
        })));
        IOException io = new IOException("truncated header");
        assertSame(io, assertThrows(IOException.class, () -> FileFaults.read(p, () -> {
            throw io;
        })));
        assertEquals(7, FileFaults.read(p, () -> 7));
    }

    @Test
    void onlyTheFaultOfAMappedPageCounts() {
        assertFalse(FileFaults.isMappedFault(new InternalError("something else")));
        assertFalse(FileFaults.isMappedFault(new IllegalStateException()));
        assertTrue(FileFaults.isMappedFault(new RuntimeException(new InternalError("a fault occurred in an unsafe memory access operation"))));
    }

    /**
     * The one cause walk: each throwable once (a looping chain ends), the whole chain however deep, and with a stop
     * predicate it ends before the first throwable the predicate accepts (that one left out).
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 20, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void causesWalksEachOnceAndEndsBeforeTheStop() {
        RuntimeException a = new RuntimeException("a"), b = new RuntimeException("b", a);
        a.initCause(b);
        assertEquals(java.util.List.of(a, b), FileFaults.causes(a));
        RuntimeException deep = new RuntimeException("root");
        for (int k = 0; k < 100; k++) deep = new RuntimeException("wrap " + k, deep);
        assertEquals(101, FileFaults.causes(deep).size());
        IllegalStateException inner = new IllegalStateException("inner");
        java.util.concurrent.ExecutionException ee = new java.util.concurrent.ExecutionException(inner);
        RuntimeException outer = new RuntimeException("outer", ee);
        assertEquals(java.util.List.of(outer), FileFaults.causes(outer, t -> t instanceof java.util.concurrent.ExecutionException));
        assertEquals(java.util.List.of(), FileFaults.causes(ee, t -> t instanceof java.util.concurrent.ExecutionException));
        assertEquals(java.util.List.of(a, b), FileFaults.causes(a, t -> false), "a loop still ends with a stop that never matches");
    }

    /**
     * Inside one readThroughChannel: the header, then another file renamed over the path (as a save does), then the
     * tensors: the read gives the version it opened, whole, and runs once. A plain read (the way every load went before)
     * runs the body again and gives the new version.
     */
    @Test
    void aRenameOverThePathInsideAReadThroughChannelGivesTheOpenedVersionOnce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.safetensors");
        Path next = dir.resolve("next.safetensors");
        SafeTensors.write(file, java.util.Map.of("w", dev.jrnn.tensor.Tensor.full(1f, 2, 3)), java.util.Map.of());
        SafeTensors.write(next, java.util.Map.of("w", dev.jrnn.tensor.Tensor.full(2f, 2, 3)), java.util.Map.of());
        int[] runs = {0};
        java.util.Map<String, dev.jrnn.tensor.Tensor> got = FileFaults.readThroughChannel(file, () -> {
            assertEquals(java.util.List.of(2, 3), java.util.Arrays.stream(SafeTensors.shapes(file).get("w")).boxed().toList());
            if (runs[0]++ == 0) Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return SafeTensors.read(file);
        });
        assertEquals(1, runs[0], "read again");
        assertEquals(java.util.List.of(1f, 1f, 1f, 1f, 1f, 1f), toList(got.get("w").data()));
    }

    /**
     * A file renamed over the path between a read's stamp and its open (as a save loop's rename can land): the pin opens
     * the path once more and holds the new version, with its stamp; before, it gave up (no pin: the read opened the path
     * as many times as its reader did, and a rename during it made it read again).
     */
    @Test
    void aRenameBetweenTheStampAndTheOpenIsOpenedOnceMore(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.bin");
        Path next = dir.resolve("next.bin");
        Files.write(file, new byte[] {1, 1, 1});
        Files.write(next, new byte[] {2, 2, 2, 2});
        FileFaults.Stamp stamped = FileFaults.Stamp.of(file);
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        FileFaults.Pin pin = FileFaults.Pin.open(file, stamped);
        org.junit.jupiter.api.Assertions.assertNotNull(pin, "no pin");
        try {
            assertEquals(FileFaults.Stamp.of(file), pin.opened);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8);
            assertEquals(4, pin.channel.read(b, 0));
            assertEquals(2, b.get(0));
        } finally {
            pin.close();
        }
    }

    /**
     * A read whose file a rename replaces between its stamp and its open reads the new file once: the version it pinned
     * is the one it compares the path with afterwards. Without that (the read's stamp kept), the pinned new file looked
     * changed against the old stamp and the body ran again.
     */
    @Test
    void aReadOfAFileRenamedBetweenItsStampAndItsOpenRunsOnce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.bin"), next = dir.resolve("next.bin");
        Files.write(file, new byte[] {1, 1, 1});
        Files.write(next, new byte[] {2, 2, 2, 2});
        int[] runs = {0};
        byte[] read = FileFaultsSeam.at("stamped", () -> FileFaultsSeam.rename(next, file), () -> FileFaults.read(file, () -> {
            runs[0]++;
            try (java.io.InputStream in = FileFaults.input(file)) {
                return in.readAllBytes();
            }
        }));
        assertEquals(1, runs[0], "the body's runs");
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {2, 2, 2, 2}, read);
    }

    private static java.util.List<Float> toList(float[] a) {
        java.util.List<Float> r = new java.util.ArrayList<>();
        for (float f : a) r.add(f);
        return r;
    }
}
