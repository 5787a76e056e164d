package dev.jrnn.io.keras;

import dev.jrnn.backend.BackendFailure;
import dev.jrnn.io.FileFaults;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Whose fault a Keras load's failure is: a backend's own failure ({@link BackendFailure}) is thrown as it is, with a
 * suppressed IOException naming the file ({@link #rethrowBackendFailure}); any other is the file's IOException
 * ({@link #asFileFault}). KerasImport, KerasWeightFit and the model package's resume into a model
 * ({@code BackupAndRestore}) end their loads here.
 */
public final class KerasLoadFaults {
    private KerasLoadFaults() {}

    /**
     * Throws a backend's own failure ({@link BackendFailure}: the device out of memory or closed, a buffer over what the CPU
     * backend holds) found as {@code e} or among its causes, as it is: the file is not at fault, and a caller that refuses
     * files on IOException would refuse a good one. A suppressed IOException names {@code file}, so the trace says which
     * load stopped; where the failure came wrapped, the note's message describes the wrapper and holds no reference to it
     * (the wrapper's cause is the failure: a note caused by it would close a loop that some loggers do not end).
     * Returns where there is none.
     *
     * @param file the file whose load {@code e} stopped
     * @param e what the load threw
     */
    public static void rethrowBackendFailure(Path file, Throwable e) {
        RuntimeException backend = backendFailureIn(e);
        if (backend == null) return;
        backend.addSuppressed(new IOException(file + ": the load stopped here (the backend failed, not the file)"
                + (backend == e ? "" : "; it came wrapped in " + e)));
        throw backend;
    }

    /**
     * The BackendFailure among {@code e} and its causes, or null; each looked at once, as a cause chain may loop back.
     * {@code BackupAndRestore}'s resume asks it too, so a backend's failure does not read as an unreadable backup.
     */
    public static RuntimeException backendFailureIn(Throwable e) {
        for (Throwable t : FileFaults.causes(e)) {
            if (t instanceof BackendFailure && t instanceof RuntimeException backend) return backend;
        }
        return null;
    }

    /**
     * A load's failure {@code e} as the IOException naming {@code file}; {@code ownMessage}: its message says what is wrong
     * (a reader's refusal). Call {@link #rethrowBackendFailure} first.
     */
    static IOException asFileFault(Path file, Throwable e, boolean ownMessage) {
        return ownMessage ? new IOException(file + ": " + e.getMessage(), e) : new IOException(file + ": not a readable Keras file (" + e + ")", e);
    }
}
