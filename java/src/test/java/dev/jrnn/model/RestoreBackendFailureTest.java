package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.BufferTooLargeException;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Dense;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * BackupAndRestore's resume into a model ({@code ModelFiles.restoreInto}) throws a backend failure at any upload as it is,
 * with the note naming the file, as {@code loadWeights} does: the optimizer state's uploads included. Before, a
 * BufferTooLargeException there (uploads 2 and 3 of this model) became "{@code <file>: probe upload 2: ...}", the file's
 * IOException.
 */
class RestoreBackendFailureTest {
    private static final Tensor X = Tensor.of(new float[] {0.5f, -1f, 0.25f, 2f}, 2, 2), Y = Tensor.of(new float[] {1f, -1f}, 2, 1);

    /** A CPU backend whose uploads the tests make fail, made the current one. */
    private static RecordingBackend recording() {
        RecordingBackend be = new RecordingBackend(CpuBackend.create());
        Jrnn.setBackend(be);
        return be;
    }

    /** The model every test saves and restores into: compiled with Adam and trained a step, so it has optimizer state. */
    private static Sequential trained() {
        Sequential m = new Sequential(Input.shape(2), new Dense(1));
        m.compile(new Adam(0.05), "mse");
        m.trainOnBatch(X, Y);
        return m;
    }

    @AfterEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBackendFailureAtAnyUploadIsThrownAsItIs(@TempDir Path dir) throws IOException {
        RecordingBackend be = recording();
        Path f = dir.resolve("ck.keras");
        try (Sequential m = trained()) {
            m.save(f);
        }
        int failed = failEachUpload(be, f, (k, m) -> {
            be.failUpload(k, () -> new BufferTooLargeException("probe upload " + k, 3L << 30, Integer.MAX_VALUE - 8));
            return e -> {
                if (e == null) return;
                assertEquals(1, e.getSuppressed().length, "upload " + k);
                assertInstanceOf(IOException.class, e.getSuppressed()[0]);
                assertEquals(f + ": the load stopped here (the backend failed, not the file)", e.getSuppressed()[0].getMessage(), "upload " + k);
            };
        });
        assertTrue(failed >= 3, "the weights' uploads and the optimizer state's failed: " + failed);
    }

    /**
     * Where the backend stays failed, putting the weights back fails too: the restore's own failure is thrown (with the note
     * naming the file), the rollback's suppressed in it under a note naming the model and the file. Before, the rollback's
     * failure was thrown and the first one lost.
     */
    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRollbackThatFailsTooLeavesTheRestoresFailureThrown(@TempDir Path dir) throws IOException {
        RecordingBackend be = recording();
        Path f = dir.resolve("ck.keras");
        try (Sequential m = trained()) {
            m.save(f);
        }
        java.util.List<Throwable> made = new java.util.ArrayList<>();
        int failed = failEachUpload(be, f, (k, m) -> {
            made.clear();
            be.failUploadsFrom(k, () -> {
                BufferTooLargeException t = new BufferTooLargeException("probe upload " + made.size(), 3L << 30, Integer.MAX_VALUE - 8);
                made.add(t);
                return t;
            });
            return e -> {
                if (e == null) {
                    assertEquals(0, made.size(), "upload " + k + ": nothing failed");
                    return;
                }
                assertTrue(made.size() >= 2, "upload " + k + ": the rollback's upload failed too: " + made);
                assertSame(made.get(0), e, "upload " + k + ": the restore's failure is thrown");
                assertEquals(2, e.getSuppressed().length, "upload " + k + ": " + java.util.Arrays.toString(e.getSuppressed()));
                assertEquals(f + ": the load stopped here (the backend failed, not the file)", e.getSuppressed()[0].getMessage(), "upload " + k);
                Throwable rollback = e.getSuppressed()[1];
                assertInstanceOf(IllegalStateException.class, rollback);
                assertTrue(rollback.getMessage().startsWith(m.name() + ": the weights held before the restore from " + f + " could not be put back"),
                        rollback.getMessage());
                assertSame(made.get(1), rollback.getCause(), "upload " + k + ": the rollback's own failure");
            };
        });
        assertTrue(failed >= 3, "the weights' uploads and the optimizer state's failed: " + failed);
    }

    /** Arms the backend for upload {@code k} of a restore into {@code m}; checks the restore's failure (null: it ended well). */
    private interface Armed {
        java.util.function.Consumer<BufferTooLargeException> arm(int k, Sequential m);
    }

    /**
     * Restores {@code f} into a fresh {@link #trained()} model once per upload k = 0, 1, ... with {@code armed}'s failure at
     * upload k, until a restore ends well (it has fewer uploads); each failure must be the backend's BufferTooLargeException,
     * never an IOException blaming the file. The number of failed restores.
     */
    private static int failEachUpload(RecordingBackend be, Path f, Armed armed) throws IOException {
        int failed = 0;
        for (int k = 0; ; k++) {
            assertTrue(k < 32, "the restore ends in fewer uploads");
            try (Sequential m = trained()) {
                java.util.function.Consumer<BufferTooLargeException> check = armed.arm(k, m);
                try {
                    ModelFiles.restoreInto(m, f);
                    check.accept(null);
                    return failed;
                } catch (BufferTooLargeException e) {
                    check.accept(e);
                    failed++;
                } catch (IOException e) {
                    fail("upload " + k + ": the backend's failure reported as the file's: " + e, e);
                } finally {
                    be.failUpload(-1, null);
                }
            }
        }
    }

    /**
     * Through fit's own resume ({@code BackupAndRestore.restore}): a backend failure comes out of fit as it is, with the note
     * naming the backup, not as "cannot restore ... (a backup of another model, or unreadable)"; with {@code doubleCheckpoint}
     * the older backup is not tried on the failed backend. Before, BufferTooLargeException (an IllegalArgumentException) was
     * wrapped as the backup's unreadability, and a single failed upload fell to the older backup, fit training on from it.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fitsResumeThrowsABackendFailureAsItIsAndTriesNoOlderBackup(@TempDir Path dir) throws IOException {
        RecordingBackend be = recording();
        try (Sequential m = trained()) {
            m.save(dir.resolve("backup-epoch-1.keras"));
            m.trainOnBatch(X, Y);
            m.save(dir.resolve("backup-epoch-2.keras"));
        }
        for (boolean twice : new boolean[] {false, true}) {
            try (Sequential m = trained()) {
                java.util.List<Throwable> made = new java.util.ArrayList<>();
                be.failUpload(0, () -> {   // the resume's first upload only: an older backup would restore
                    BufferTooLargeException t = new BufferTooLargeException("probe upload " + made.size(), 3L << 30, Integer.MAX_VALUE - 8);
                    made.add(t);
                    return t;
                });
                BackupAndRestore b = new BackupAndRestore(dir).doubleCheckpoint(twice).deleteCheckpoint(false);
                try {
                    m.fit(X, Y, new FitOptions().epochs(3).callbacks(b));
                    fail("doubleCheckpoint " + twice + ": fit returned (the older backup restored after the backend failed)");
                } catch (BufferTooLargeException e) {
                    assertEquals(1, made.size());
                    assertSame(made.get(0), e, "doubleCheckpoint " + twice);
                    assertEquals(1, e.getSuppressed().length, java.util.Arrays.toString(e.getSuppressed()));
                    assertEquals(dir.resolve("backup-epoch-2.keras") + ": the load stopped here (the backend failed, not the file)",
                            e.getSuppressed()[0].getMessage());
                } catch (RuntimeException e) {
                    fail("doubleCheckpoint " + twice + ": the backend's failure reported as the backup's: " + e, e);
                } finally {
                    be.failUpload(-1, null);
                }
            }
        }
    }

    /**
     * A model calling a nested model enc = Model(x, [e2(e1(x)), u1(x)]) twice, whose u1 only enc's unused output needs
     * (not listed, but its weights are in a nested file and set by the restore); trained a step. {@code u1} gets u1.
     */
    private static Model nested(long seed, dev.jrnn.layers.Layer[] u1) {
        Jrnn.setSeed(seed);
        Input x = Input.shape(2);
        Dense e1 = new Dense(3), e2 = new Dense(2);
        u1[0] = new Dense(2);
        Model enc = new Model(x, java.util.List.of(e2.apply(e1.apply(x)), u1[0].apply(x)));
        Input a = Input.shape(2), b = Input.shape(2);
        Model m = new Model(java.util.List.of(a, b), new Dense(1).apply(new dev.jrnn.layers.Concatenate().apply(
                enc.applyAll(java.util.List.of(a)).get(0), enc.applyAll(java.util.List.of(b)).get(0))));
        m.compile(new Adam(0.05), "mse");
        m.trainOnBatch(java.util.List.of(X, X), java.util.List.of(Y));
        return m;
    }

    /**
     * A restore of a nested backup that fails at any upload (the optimizer state's after every weight was set included)
     * leaves u1, which the nested file sets though the model does not list it, as it was, as it does the listed weights.
     * Before, only the listed weights were put back: u1 kept the file's values, which the next .keras save would write.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFailedRestoreOfANestedBackupPutsBackTheWeightsOfLayersOnlyAnUnusedOutputNeeds(@TempDir Path dir) throws IOException {
        RecordingBackend be = recording();
        Path f = dir.resolve("ck.keras");
        dev.jrnn.layers.Layer[] u1 = new dev.jrnn.layers.Layer[1];
        try (Model m = nested(1, u1)) {
            m.save(f);
        }
        int failed = 0;
        for (int k = 0; ; k++) {
            assertTrue(k < 64, "the restore ends in fewer uploads");
            try (Model m = nested(2, u1)) {
                java.util.List<Tensor> weights = m.getWeights(), mine = u1[0].getWeights();
                be.failUpload(k, () -> new BufferTooLargeException("probe upload", 3L << 30, Integer.MAX_VALUE - 8));
                try {
                    ModelFiles.restoreInto(m, f);
                    break;
                } catch (BufferTooLargeException e) {
                    failed++;
                } finally {
                    be.failUpload(-1, null);
                }
                for (int i = 0; i < weights.size(); i++) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(weights.get(i).data(), m.getWeights().get(i).data(), "upload " + k + ", weight " + i);
                }
                for (int i = 0; i < 2; i++) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(mine.get(i).data(), u1[0].getWeights().get(i).data(), "upload " + k + ", u1 weight " + i);
                }
            }
        }
        assertTrue(failed >= 3, "the weights' uploads and the optimizer state's failed: " + failed);
    }
}
