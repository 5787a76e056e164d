package dev.jrnn.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * NCCL through {@code java.lang.foreign}: the calls data-parallel training needs, each failure a
 * {@link CudaException} naming the call and NCCL's error string, e.g.
 * {@code "ncclCommInitRank failed: ncclInvalidUsage (5): invalid usage (run with NCCL_DEBUG=WARN for details)"}.
 *
 * <p>The library is found by {@link CudaLibraries#nccl()} ({@code JRNN_NCCL}, the loader, CUDA installs, Python's
 * {@code nvidia/nccl/lib}). {@code ncclUniqueId} is a 128-byte struct that {@code ncclCommInitRank} takes by value:
 * it is bound as a {@link StructLayout} of 128 bytes, so FFM passes it as the C ABI passes such a struct. Device
 * pointers, communicators and streams are passed as 64-bit integers. NCCL uses the CUDA runtime's current device:
 * callers make the driver's context current on the calling thread first.
 *
 * <pre>{@code
 * // as NcclCommunicator uses it (the collectives are package-private; users take a Communicator)
 * Nccl nccl = Nccl.load();
 * byte[] id = nccl.uniqueId();                         // rank 0; the others receive it over the rendezvous
 * long comm = nccl.commInitRank(2, id, rank);
 * nccl.allReduce(ptr, ptr, n, Nccl.AVG, comm, stream);   // n floats, in place
 * }</pre>
 */
public final class Nccl {
    /** {@code NCCL_UNIQUE_ID_BYTES}. */
    public static final int UNIQUE_ID_BYTES = 128;
    /** {@code ncclFloat32}. */
    static final int FLOAT32 = 7;
    /** {@code ncclSum}, {@code ncclAvg} (NCCL >= 2.10). */
    static final int SUM = 0, AVG = 4;
    /** {@code ncclSuccess}, {@code ncclInProgress} (a non-blocking call not finished yet). */
    static final int SUCCESS = 0, IN_PROGRESS = 7;
    private static final String[] RESULT_NAMES = {"ncclSuccess", "ncclUnhandledCudaError", "ncclSystemError",
            "ncclInternalError", "ncclInvalidArgument", "ncclInvalidUsage", "ncclRemoteError", "ncclInProgress"};
    static final StructLayout UNIQUE_ID = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(UNIQUE_ID_BYTES, JAVA_BYTE).withName("internal")).withName("ncclUniqueId");

    private static Nccl instance;

    private final CudaLibraries.Loaded loaded;
    private final MethodHandle getVersion, getUniqueId, commInitRank, allReduce, broadcast, groupStart, groupEnd,
            commAbort, commDestroy, commGetAsyncError, getErrorString, getLastError;

    /** The process's NCCL (found and bound once). */
    public static synchronized Nccl load() {
        if (instance == null) instance = new Nccl(CudaLibraries.nccl());
        return instance;
    }

    /** A binding of an already loaded library (tests use a stand-in). */
    static Nccl load(CudaLibraries.Loaded loaded) { return new Nccl(loaded); }

    private Nccl(CudaLibraries.Loaded loaded) {
        this.loaded = loaded;
        NativeLib l = loaded.lib();
        getVersion = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS), "ncclGetVersion");
        getUniqueId = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS), "ncclGetUniqueId");
        commInitRank = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT), "ncclCommInitRank");
        allReduce = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG,
                JAVA_LONG), "ncclAllReduce");
        broadcast = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG,
                JAVA_LONG), "ncclBroadcast");
        groupStart = l.downcall(FunctionDescriptor.of(JAVA_INT), "ncclGroupStart");
        groupEnd = l.downcall(FunctionDescriptor.of(JAVA_INT), "ncclGroupEnd");
        commAbort = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG), "ncclCommAbort");
        commDestroy = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG), "ncclCommDestroy");
        commGetAsyncError = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS), "ncclCommGetAsyncError");
        getErrorString = l.downcall(FunctionDescriptor.of(ADDRESS, JAVA_INT), "ncclGetErrorString");
        getLastError = l.find("ncclGetLastError").isPresent()   // NCCL >= 2.13
                ? l.downcall(FunctionDescriptor.of(ADDRESS, JAVA_LONG), "ncclGetLastError") : null;
    }

    /** Where the library was loaded from. */
    public String libraryPath() { return loaded.where(); }

    /** {@code ncclGetVersion}: e.g. 22805 for 2.28.5 (major * 10000 + minor * 100 + patch since 2.9). */
    public int version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) getVersion.invokeExact(v), "ncclGetVersion", 0);
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** {@code ncclGetUniqueId}: the 128 bytes rank 0 hands to every other rank. */
    public byte[] uniqueId() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment id = a.allocate(UNIQUE_ID);
            check((int) getUniqueId.invokeExact(id), "ncclGetUniqueId", 0);
            return id.toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** {@code ncclCommInitRank} (blocks until every rank called it): the new {@code ncclComm_t}. */
    long commInitRank(int nranks, byte[] id, int rank) {
        if (id.length != UNIQUE_ID_BYTES) {
            throw new IllegalArgumentException("ncclCommInitRank: the unique id must have " + UNIQUE_ID_BYTES + " bytes, got " + id.length);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment comm = a.allocate(JAVA_LONG);
            MemorySegment byValue = a.allocate(UNIQUE_ID);
            byValue.copyFrom(MemorySegment.ofArray(id));
            check((int) commInitRank.invokeExact(comm, nranks, byValue, rank), "ncclCommInitRank", 0);
            return comm.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** {@code ncclAllReduce} of {@code count} floats (in place when send == recv) on {@code stream}. */
    void allReduce(long send, long recv, long count, int op, long comm, long stream) {
        try {
            check((int) allReduce.invokeExact(send, recv, count, FLOAT32, op, comm, stream), "ncclAllReduce", comm);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** {@code ncclBroadcast} of {@code count} floats from rank {@code root} on {@code stream}. */
    void broadcast(long send, long recv, long count, int root, long comm, long stream) {
        try {
            check((int) broadcast.invokeExact(send, recv, count, FLOAT32, root, comm, stream), "ncclBroadcast", comm);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** {@code ncclGroupStart}: the calls up to {@link #groupEnd} are issued as one (fewer kernel launches). */
    void groupStart() {
        try {
            check((int) groupStart.invokeExact(), "ncclGroupStart", 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    void groupEnd() {
        try {
            check((int) groupEnd.invokeExact(), "ncclGroupEnd", 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** {@code ncclCommAbort}: frees {@code comm}, making its unfinished operations return (any thread may call it). */
    void commAbort(long comm) {
        try {
            check((int) commAbort.invokeExact(comm), "ncclCommAbort", 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** {@code ncclCommDestroy}: frees {@code comm} after its operations finished. */
    void commDestroy(long comm) {
        try {
            check((int) commDestroy.invokeExact(comm), "ncclCommDestroy", 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** {@code ncclCommGetAsyncError}: an error of {@code comm}'s background work (network, a peer), or ncclSuccess. */
    int asyncError(long comm) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment r = a.allocate(JAVA_INT);
            check((int) commGetAsyncError.invokeExact(comm, r), "ncclCommGetAsyncError", 0);
            return r.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** {@code ncclGetErrorString} of {@code result}. */
    String errorString(int result) {
        try {
            MemorySegment s = (MemorySegment) getErrorString.invokeExact(result);
            return s.address() == 0 ? "?" : s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "?";
        }
    }

    /** The symbolic name of an {@code ncclResult_t}. */
    static String resultName(int result) {
        return result >= 0 && result < RESULT_NAMES.length ? RESULT_NAMES[result] : "ncclResult " + result;
    }

    /** Throws a CudaException naming {@code call} when {@code status} is not success, with NCCL's last error of {@code comm}. */
    void check(int status, String call, long comm) {
        if (status == SUCCESS) return;
        String detail = errorString(status);
        if (getLastError != null) {
            try {
                MemorySegment s = (MemorySegment) getLastError.invokeExact(comm);
                String last = s.address() == 0 ? "" : s.reinterpret(4096).getString(0);
                if (!last.isBlank()) detail += "; last error: " + last.strip();
            } catch (Throwable ignored) {
                // the error string alone
            }
        }
        throw new CudaException(call, status, resultName(status), detail);
    }
}
