package dev.jrnn.backend;

/**
 * Marks an exception by which a backend says that it failed, not the data it was given: the CUDA backend's
 * {@code CudaException} (the device out of memory, a driver or cuBLAS error), {@link BufferTooLargeException} (a
 * buffer larger than the CPU backend holds) and {@link BackendClosedException} (a backend used after its close). Code
 * that reads a file into a model lets these through as they are, since the file is not at fault: {@code Models.load},
 * {@code loadWeights} and {@code BackupAndRestore}'s resume do not report them as a damaged file, and add a suppressed
 * IOException naming the file whose load they stopped ("the load stopped here (the backend failed, not the file)").
 *
 * <pre>{@code
 * try { model = Models.load(file); }
 * catch (IOException e) { rejectUpload(file, e); }   // the file is at fault
 * catch (RuntimeException e) { if (e instanceof BackendFailure) retryOnTheCpu(file); else throw e; }
 * }</pre>
 */
public interface BackendFailure {}
