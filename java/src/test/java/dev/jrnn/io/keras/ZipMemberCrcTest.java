package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.BackupAndRestore;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import io.jhdf.api.dataset.ContiguousDataset;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CRC-32 check of a .keras's stored model.weights.h5 computed from the reads that fill the weights plus the bytes
 * no read covered ({@link ZipMemberCrc}): it gives the CRC of the whole member (java.util.zip.CRC32, zlib's, over the
 * same bytes is the reference), reads again only what no run covered, and a flipped bit anywhere in the member still
 * fails Models.load with the CRC's message.
 */
class ZipMemberCrcTest {
    @TempDir
    Path dir;
    CpuBackend be;

    @BeforeEach
    void cpu() {
        be = CpuBackend.create();
        Jrnn.setBackend(be);
    }

    @AfterEach
    void back() {
        Jrnn.setBackend("cpu");
        be.close();
    }

    private static long crc(byte[] b, int from, int to) {
        CRC32 c = new CRC32();
        c.update(b, from, to - from);
        return c.getValue();
    }

    @Test
    void combineGivesTheCrcOfTheJoinedBytes() {
        Random r = new Random(3);
        for (int lenA : new int[] {0, 1, 5, 4096}) {
            for (int lenB : new int[] {0, 1, 3, 1000, (1 << 20) + 7}) {
                byte[] b = new byte[lenA + lenB];
                r.nextBytes(b);
                assertEquals(crc(b, 0, b.length), ZipMemberCrc.combine(crc(b, 0, lenA), crc(b, lenA, b.length), lenB), lenA + " + " + lenB);
            }
        }
    }

    /** Reads {@code len} bytes of {@code file} at {@code at} as KerasFile.read does and hands them to {@code crc}. */
    private static void read(ZipMemberCrc crc, FileChannel ch, long at, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(len);
        ch.read(b, at);
        crc.add(b.flip(), at);
    }

    /** The runs of {@link #runsAndTheBytesNoneCoversGiveTheMembersCrc}: start, length, pieces (a run read in pieces). */
    private static final int[][] RUNS = {
        {5_000, 4_000, 4},    // four consecutive pieces: one run
        {50_000, 10_000, 1},
        {2_000, 1_000, 1},    // before the runs above: out of file order
        {8_000, 500, 1},      // inside the first run: dropped, its bytes counted once
        {60_000, 1_000, 1},   // right after a run, read later: a run of its own
        {200_500, 1_000, 1},  // ends past the member: not the member's bytes
        {0, 500, 1},          // before the member
    };

    private ZipMemberCrc readRuns(Path f, FileChannel ch, long crcRecorded) throws IOException {
        ZipArchiveEntry e = new ZipArchiveEntry("model.weights.h5");
        e.setCrc(crcRecorded);
        ZipMemberCrc crc = new ZipMemberCrc(e, ch, 1_000, 200_000);
        for (int[] run : RUNS) for (int k = 0; k < run[2]; k++) read(crc, ch, run[0] + (long) k * run[1] / run[2], run[1] / run[2]);
        return crc;
    }

    @Test
    void runsAndTheBytesNoneCoversGiveTheMembersCrc() throws IOException {
        byte[] bytes = new byte[300_000];
        new Random(7).nextBytes(bytes);
        Path f = Files.write(dir.resolve("f.bin"), bytes);
        long want = crc(bytes, 1_000, 201_000);
        try (FileChannel ch = FileChannel.open(f)) {
            ZipMemberCrc crc = readRuns(f, ch, want);
            crc.verify();
            assertEquals(200_000 - 4_000 - 10_000 - 1_000 - 1_000, crc.bytesReadAgain(), "only the bytes no run covered are read again");
        }
        // one bit flipped inside a run, between runs, at the member's first and last byte: refused
        for (int at : new int[] {5_500, 8_200, 30_000, 1_000, 200_999}) {
            byte[] bad = bytes.clone();
            bad[at] ^= 0x10;
            Path g = Files.write(dir.resolve("g.bin"), bad);
            try (FileChannel ch = FileChannel.open(g)) {
                ZipMemberCrc crc = readRuns(g, ch, want);
                KerasFormatException e = assertThrows(KerasFormatException.class, crc::verify, "flipped at " + at);
                assertTrue(e.getMessage().contains("zip member model.weights.h5 fails its CRC-32 check"), e.getMessage());
            }
        }
    }

    /**
     * Every 101st byte (and the last) of a saved model's stored model.weights.h5 (its HDF5 headers and its weights), one
     * bit flipped at a time: Models.load refuses each with the CRC's message (whatever jhdf or the NaN check would have said first) and
     * frees the half-built model; the file as saved loads, and its check, from the weights' reads, reads again only the
     * bytes that hold no weight.
     */
    @Test
    void aFlippedBitAnywhereInTheStoredWeightsFailsTheLoadWithTheCrcMessage() throws IOException {
        Jrnn.setSeed(11);
        Path p = dir.resolve("m.keras");
        try (Sequential m = new Sequential(new LSTM(16).inputShape(4, 5), new Dense(2))) {
            m.save(p);
        }
        StoredMembers.Span member = StoredMembers.of(p, "model.weights.h5");
        long start = member.start(), size = member.size();
        try (KerasFile kf = KerasFile.openDeferringCrc(p)) {   // each weight read by position as the loader reads it
            long weights = 0;
            for (String w : new String[] {"layers/lstm/cell/vars/0", "layers/lstm/cell/vars/1", "layers/lstm/cell/vars/2",
                    "layers/dense/vars/0", "layers/dense/vars/1"}) {
                ContiguousDataset c = (ContiguousDataset) kf.hdf.getByPath(w);
                ByteBuffer b = ByteBuffer.allocateDirect(c.getBuffer().remaining());
                kf.read(b, kf.fileOffset(c, c.getBuffer()));
                weights += b.capacity();
            }
            assertEquals((5 * 64 + 16 * 64 + 64 + 16 * 2 + 2) * 4, weights);
            ZipMemberCrc c = kf.pendingCrc();
            kf.checkCrc();
            assertEquals(size - weights, c.bytesReadAgain(), "the check read again only what holds no weight");
        }
        Models.load(p).close();
        byte[] ok = Files.readAllBytes(p);
        int refused = 0;
        for (long off = 0; off < size; off += off + 101 < size ? 101 : Math.max(1, size - 1 - off)) {
            byte[] b = ok.clone();
            b[(int) (start + off)] ^= (byte) (1 << (off % 8));
            Path bad = Files.write(dir.resolve("bad.keras"), b);
            long at = off;
            IOException e = assertThrows(IOException.class, () -> Models.load(bad).close(), () -> "flipped at " + at);
            assertTrue(e.getMessage().contains("zip member model.weights.h5 fails its CRC-32 check"), "byte " + off + ": " + e.getMessage());
            assertEquals(0, be.liveBuffers(), "the half-built model was closed");
            refused++;
        }
        assertEquals((size - 2) / 101 + 2, refused, "bytes tried");
        // loadWeights checks when it opens the file: one CRC failure, not the same one again as its own suppressed copy
        byte[] b = ok.clone();
        b[(int) (start + size / 2)] ^= 1;
        Path bad = Files.write(dir.resolve("bad.keras"), b);
        try (Sequential m = new Sequential(new LSTM(16).inputShape(4, 5), new Dense(2))) {
            IOException e = assertThrows(IOException.class, () -> m.loadWeights(bad));
            Throwable crc = e.getMessage().contains("fails its CRC-32 check") ? e : e.getCause();
            assertTrue(crc != null && crc.getMessage().contains("fails its CRC-32 check"), e.toString());
            for (Throwable t = e; t != null; t = t.getCause()) {
                for (Throwable s : t.getSuppressed()) {
                    assertFalse(String.valueOf(s.getMessage()).contains("fails its CRC-32 check"), "the failure repeated: " + s);
                }
            }
        }
    }

    /** LSTM(16) -> Dense(2) on (4, 5), compiled with Adam. */
    private static Sequential compiled() {
        Sequential m = new Sequential(new LSTM(16).inputShape(4, 5), new Dense(2));
        m.compile("adam", "mse");
        return m;
    }

    private static Tensor x() {
        float[] v = new float[2 * 4 * 5];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i);
        return Tensor.wrap(v, 2, 4, 5);
    }

    /** {@link #compiled} after one Adam step (its m and v in optimizer/vars), saved to {@code name}. */
    private Path trainedAndSaved(String name) throws IOException {
        Jrnn.setSeed(11);
        Path p = dir.resolve(name);
        try (Sequential m = compiled()) {
            m.trainOnBatch(x(), Tensor.zeros(2, 2));
            m.save(p);
        }
        return p;
    }

    /** The model's float32 weights in bytes (each array at least 8 bytes, so read by position); Adam keeps m and v of each. */
    private static final long WEIGHT_BYTES = 4L * (5 * 64 + 16 * 64 + 64 + 16 * 2 + 2);

    /**
     * What each path's CRC-32 check of a stored model.weights.h5 reads itself, beyond the reads that fill the arrays: the
     * member's size (from the zip's own records) less the arrays the path reads. Before, loadWeights read the whole member
     * for the check and then the weights again through jhdf (the check read the member's size; it reads the optimizer's
     * variables too since session 35, as Keras 3's load_weights of a .keras), a compiled Models.load
     * read Adam's m and v through jhdf and again for the check (size less the weights), and BackupAndRestore's resume
     * opened the file twice (twice the size).
     */
    @Test
    void eachLoadPathReadsTheStoredMemberOnce() throws IOException {
        Path p = trainedAndSaved("m.keras");
        long member = StoredMembers.of(p, "model.weights.h5").size();
        long before = ZipMemberCrc.bytesReadAgainInAll();
        try (Model m = Models.load(p)) {
            assertEquals(1, m.optimizer().iterations(), "the state restored");
        }
        assertEquals(member - 3 * WEIGHT_BYTES, ZipMemberCrc.bytesReadAgainInAll() - before,
                "Models.load: the weights and Adam's m and v read by position, the check from those reads");
        try (Sequential m = compiled()) {
            before = ZipMemberCrc.bytesReadAgainInAll();
            m.loadWeights(p);
            assertEquals(member - 3 * WEIGHT_BYTES, ZipMemberCrc.bytesReadAgainInAll() - before,
                    "loadWeights: the weights and Adam's m and v (read for the optimizer, as Keras 3's load_weights of a .keras) by position");
            Path backups = Files.createDirectories(dir.resolve("backups"));
            Files.copy(p, backups.resolve("backup-epoch-1.keras"));
            before = ZipMemberCrc.bytesReadAgainInAll();
            m.fit(x(), Tensor.zeros(2, 2), new FitOptions().epochs(1).verbose(0).callbacks(new BackupAndRestore(backups)));   // resumed after its last epoch
            assertEquals(member - 3 * WEIGHT_BYTES, ZipMemberCrc.bytesReadAgainInAll() - before,
                    "BackupAndRestore's resume: weights and optimizer state from one open");
            assertEquals(1, m.optimizer().iterations(), "the state restored");
        }
    }

    /**
     * A flipped bit in a weight, in Adam's m, or in the HDF5 headers of a compiled model's stored model.weights.h5: every
     * path refuses the file with the CRC's message first and changes nothing (loadWeights' model keeps its weights,
     * BackupAndRestore's its weights and its optimizer's count).
     */
    @Test
    void aDamagedMemberIsRefusedFirstOnEveryPath() throws IOException {
        Path p = trainedAndSaved("m.keras");
        byte[] ok = Files.readAllBytes(p);
        StoredMembers.Span member = StoredMembers.of(ok, "model.weights.h5");
        long weight, moment;
        try (KerasFile kf = KerasFile.open(p)) {
            ContiguousDataset w = (ContiguousDataset) kf.hdf.getByPath("layers/dense/vars/0");
            ContiguousDataset m = (ContiguousDataset) kf.hdf.getByPath("optimizer/vars/2");
            weight = kf.fileOffset(w, w.getBuffer());
            moment = kf.fileOffset(m, m.getBuffer());
        }
        assertTrue(weight > member.start() && moment > member.start(), weight + ", " + moment);
        for (long at : new long[] {weight + 5, moment + 9, member.start() + 100}) {
            byte[] b = ok.clone();
            b[(int) at] ^= 0x04;
            Files.deleteIfExists(dir.resolve("backups/backup-epoch-1.keras"));
            Path bad = Files.write(dir.resolve("bad.keras"), b);
            IOException e = assertThrows(IOException.class, () -> Models.load(bad).close(), "Models.load, byte " + at);
            assertTrue(e.getMessage().contains("zip member model.weights.h5 fails its CRC-32 check"), e.getMessage());
            assertEquals(0, be.liveBuffers(), "the half-built model was closed");
            try (Sequential m = compiled()) {
                java.util.List<Tensor> weights = m.getWeights();
                e = assertThrows(IOException.class, () -> m.loadWeights(bad), "loadWeights, byte " + at);
                assertTrue(e.getMessage().contains("zip member model.weights.h5 fails its CRC-32 check"), e.getMessage());
                assertEquals(weights, m.getWeights(), "loadWeights changed nothing");
                Path backups = Files.createDirectories(dir.resolve("backups"));
                Files.write(backups.resolve("backup-epoch-1.keras"), b);
                IllegalStateException s = assertThrows(IllegalStateException.class, () -> m.fit(x(), Tensor.zeros(2, 2),
                        new FitOptions().epochs(1).verbose(0).callbacks(new BackupAndRestore(backups))), "BackupAndRestore, byte " + at);
                assertTrue(s.getMessage().contains("cannot restore") && s.getMessage().contains("fails its CRC-32 check"), s.getMessage());
                assertEquals(weights, m.getWeights(), "the resume changed nothing");
                assertEquals(0, m.optimizer().iterations(), "nor the optimizer's count");
            }
        }
    }

    /**
     * A file of the first .keras writer (the v2 RMSprop fixture of OldJrnnFilesTest), whose load warns twice (the settings
     * its compile config lost; the optimizer state that does not fit the RMSprop it compiles), with a flipped bit in a
     * weight: Models.load refuses it with the CRC's message and logs neither warning (before, both were logged and then
     * the file refused: the state reader runs before the CRC-32 check ends). The intact file still warns both.
     */
    @Test
    void aDamagedFileIsRefusedWithoutTheWarningsItsStateWouldGive() throws Exception {
        Path fixture = Path.of(ZipMemberCrcTest.class.getResource("/dev/jrnn/model/oldjrnn/v2_rmsprop_cm.keras").toURI());
        String log = KerasImport.class.getName();
        java.util.List<String> intact = dev.jrnn.LogCapture.warnings(log, () -> Models.load(fixture).close());
        assertEquals(2, intact.size(), intact.toString());
        assertTrue(intact.get(0).contains("saved by a jrnn build of 2026-12-04/05"), intact.get(0));
        assertTrue(intact.get(1).contains("the file's state holds [velocity, momentum, average_gradient]"), intact.get(1));
        byte[] b = Files.readAllBytes(fixture);
        long at;
        try (KerasFile kf = KerasFile.open(fixture)) {
            ContiguousDataset w = (ContiguousDataset) kf.hdf.getByPath("layers/lstm/cell/vars/0");
            at = kf.fileOffset(w, w.getBuffer());
        }
        assertTrue(at > StoredMembers.of(b, "model.weights.h5").start(), "a weight read by position: " + at);
        b[(int) at] ^= 0x01;   // the first float's lowest mantissa bit: still finite, the load reaches the state reader
        Path bad = Files.write(dir.resolve("bad.keras"), b);
        java.util.List<String> warned = dev.jrnn.LogCapture.warnings(log, () -> {
            IOException e = assertThrows(IOException.class, () -> Models.load(bad).close());
            assertTrue(e.getMessage().contains("zip member model.weights.h5 fails its CRC-32 check"), e.getMessage());
        });
        assertEquals(java.util.List.of(), warned);
        assertEquals(0, be.liveBuffers(), "the half-built model was closed");
    }
}
