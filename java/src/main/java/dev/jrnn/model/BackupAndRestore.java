package dev.jrnn.model;

import dev.jrnn.io.keras.KerasLoadFaults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Backs the model up at the end of every epoch and, when fit runs again after the process was killed or crashed,
 * restores the last backup and goes on with the epoch after it, as Keras' {@code BackupAndRestore}. A backup is a
 * whole-model file ({@link Model#save}: weights, optimizer moments and update count, dropout streams, the shuffle
 * seed, the learning rate a callback set), so the resumed run trains bit for bit as the uninterrupted one would
 * have; without {@link FitOptions#seed} fit draws a seed and keeps it in the backup for that. Callbacks keep no state
 * across the restart, as in Keras: ReduceLROnPlateau and EarlyStopping count their epochs afresh. The files are removed when fit ends normally (keep them
 * with {@code deleteCheckpoint(false)}); a fit that throws leaves them for the next run. The same code runs both times:
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(100).callbacks(new BackupAndRestore(Path.of("/scratch/run-7"))));
 * }</pre>
 *
 * The model must be the same (layers, shapes, compiled with the same optimizer class) as the one backed up. Backups
 * are taken per epoch only (Keras' {@code save_freq=N} batches would restart the epoch from mid-epoch weights, not
 * exactly); data-parallel fit does not take this callback.
 */
public final class BackupAndRestore implements Callback, KnownLogs {
    private static final Pattern FILE = Pattern.compile("backup-epoch-(\\d+)\\.keras");

    private final Path dir;
    private boolean deleteCheckpoint = true;
    private boolean doubleCheckpoint;

    /** Keras' {@code BackupAndRestore(backup_dir)}: the backup files go in {@code backupDir}, removed when fit ends normally. */
    public BackupAndRestore(Path backupDir) {
        if (backupDir == null) throw new IllegalArgumentException("BackupAndRestore: backupDir must be a directory path, got null");
        this.dir = backupDir;
    }

    /** Whether fit's normal end removes the backups (default true, as Keras). */
    public BackupAndRestore deleteCheckpoint(boolean d) {
        this.deleteCheckpoint = d;
        return this;
    }

    /** Keeps the previous backup too, and restores it when the last one cannot be read (Keras' double_checkpoint). */
    public BackupAndRestore doubleCheckpoint(boolean d) {
        this.doubleCheckpoint = d;
        return this;
    }

    /**
     * Restores the newest readable backup into {@code model}; returns the epochs it had completed, 0 with none.
     * Fit calls it before its first epoch (it decides the epoch to start from and the shuffle seed). A backend's failure
     * ({@link dev.jrnn.backend.BackendFailure}) is thrown as it is, with the note naming the file: the backup is not at
     * fault, so an older one is not tried.
     */
    int restore(Model model) {
        List<Path> backups = backups();
        Exception first = null;
        for (Path f : backups) {   // newest first; an older one only where the newer cannot be read
            try {
                ModelFiles.restoreInto(model, f);
                return epochOf(f);
            } catch (IOException | IllegalArgumentException | IllegalStateException e) {
                // a backend's own failure (BufferTooLargeException is an IllegalArgumentException, BackendClosedException an
                // IllegalStateException) is not the backup's: thrown as it is, and no older backup is tried on that backend
                RuntimeException backend = KerasLoadFaults.backendFailureIn(e);
                if (backend != null) {
                    if (first != null) backend.addSuppressed(first);   // a newer backup that could not be read
                    if (backend == e) throw backend;
                    KerasLoadFaults.rethrowBackendFailure(f, e);   // wrapped: thrown with a note naming the wrapper
                }
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) {
            throw new IllegalStateException("BackupAndRestore: cannot restore from " + dir + " (a backup of another model,"
                    + " or unreadable): " + first.getMessage(), first);
        }
        return 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
        try {
            Files.createDirectories(dir);
            model.save(dir.resolve("backup-epoch-" + (epoch + 1) + ".keras"));
            List<Path> all = backups();
            for (int i = doubleCheckpoint ? 2 : 1; i < all.size(); i++) Files.deleteIfExists(all.get(i));
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot back up to " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onTrainEnd(Model model) {
        if (!deleteCheckpoint || !Files.isDirectory(dir)) return;   // no epoch ran (a resume after the last one)
        try {
            for (Path f : backups()) Files.deleteIfExists(f);
            try (DirectoryStream<Path> left = Files.newDirectoryStream(dir)) {
                if (!left.iterator().hasNext()) Files.delete(dir);   // only a directory this callback emptied
            }
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot remove the backups in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The backup files in {@code dir}, newest epoch first. */
    private List<Path> backups() {
        List<Path> r = new ArrayList<>();
        if (!Files.isDirectory(dir)) return r;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) if (FILE.matcher(f.getFileName().toString()).matches()) r.add(f);
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot list " + dir + ": " + e.getMessage(), e);
        }
        r.sort(Comparator.comparingLong(BackupAndRestore::epochOf).reversed());
        return r;
    }

    private static int epochOf(Path f) {
        Matcher m = FILE.matcher(f.getFileName().toString());
        if (!m.matches()) throw new IllegalStateException("not a backup: " + f);
        return Integer.parseInt(m.group(1));
    }

    @Override
    public Set<String> logsAdded() { return Set.of(); }
}
