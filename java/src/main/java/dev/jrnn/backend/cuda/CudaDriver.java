package dev.jrnn.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through {@code java.lang.foreign}: one instance per process,
 * bound to one device's primary context.
 *
 * <p>Every status is checked: a failure throws {@link CudaException} naming the call and the
 * {@code CUDA_ERROR_*} name (from {@code cuGetErrorName}) plus the driver's description. Handles
 * (device pointers, streams, events, modules, functions, graphs) are plain {@code long}s; stream 0 is the
 * legacy default stream. Any thread may call any method: the primary context is made current on a thread
 * the first time that thread calls in.
 *
 * <h2>Symbols</h2> Bound by exact name with {@code dlsym}; where CUDA versioned an entry point the
 * versioned name is used ({@code cuMemAlloc_v2}, {@code cuMemFree_v2}, {@code cuMemcpyHtoDAsync_v2},
 * {@code cuMemcpyDtoHAsync_v2}, {@code cuMemcpyDtoDAsync_v2}, {@code cuMemGetInfo_v2},
 * {@code cuMemAllocHost_v2}, {@code cuDeviceTotalMem_v2}, {@code cuStreamDestroy_v2},
 * {@code cuEventDestroy_v2}, {@code cuStreamBeginCapture_v2}), because the plain names of those are the
 * old ABI (32-bit sizes, or no capture mode) kept for old binaries. Where both names have the same
 * signature, the newer is tried first and the plain one is the fallback: {@code cuEventElapsedTime_v2}
 * (CUDA 12.8+/13) then {@code cuEventElapsedTime}. {@link #symbols()} tells which were bound.
 *
 * <h2>Host copies</h2> A Java heap segment ({@code MemorySegment.ofArray}) cannot be handed to native code
 * by a normal downcall. Heap copies go through two pinned staging buffers ({@code cuMemAllocHost_v2},
 * 4 MiB each, one pair per driver, used under a lock), in chunks: host→device copies the array into a free
 * buffer, queues {@code cuMemcpyHtoDAsync_v2} on the caller's stream and records an event, and returns
 * without waiting for the device (the buffer is reused only after its event has completed); device→host
 * queues {@code cuMemcpyDtoHAsync_v2} into a buffer, synchronizes the stream, then copies into the array.
 * So heap copies stay ordered with the stream's other work, and the array may be reused as soon as the
 * call returns. A heap copy on a stream that is being captured into a graph is refused
 * (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED): the graph would re-read the staging buffer at replay.
 * {@code Linker.Option.critical(true)} is not used: it would hold off the garbage collector for a whole
 * large copy and needs the synchronous legacy-stream {@code cuMemcpyHtoD_v2}. Native segments are passed
 * straight to the async copies.
 *
 * <pre>{@code
 * CudaDriver cu = CudaDriver.get();
 * long s = cu.streamCreate();
 * long d = cu.malloc(4L * n);
 * cu.copyHtoD(d, MemorySegment.ofArray(x), 4L * n, s);
 * cu.launch(fn, (n + 255) / 256, 1, 1, 256, 1, 1, 0, s, d, n);
 * cu.copyDtoH(MemorySegment.ofArray(x), d, 4L * n, s);
 * cu.free(d);
 * }</pre>
 */
public final class CudaDriver {
    /** CU_DEVICE_ATTRIBUTE_* values used here (cuda.h). */
    public static final int ATTR_MAX_THREADS_PER_BLOCK = 1;
    public static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    public static final int ATTR_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int ATTR_COMPUTE_CAPABILITY_MINOR = 76;
    public static final int ATTR_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR = 81;
    public static final int ATTR_COOPERATIVE_LAUNCH = 95;
    public static final int ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
    /** CU_FUNC_ATTRIBUTE_* values (cuda.h). */
    public static final int FUNC_MAX_THREADS_PER_BLOCK = 0;
    public static final int FUNC_SHARED_SIZE_BYTES = 1;
    public static final int FUNC_LOCAL_SIZE_BYTES = 3;
    public static final int FUNC_NUM_REGS = 4;
    public static final int FUNC_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
    /** cuStreamCreate flags. */
    public static final int STREAM_DEFAULT = 0, STREAM_NON_BLOCKING = 1;
    /** cuMemHostAlloc flags. */
    public static final int HOST_ALLOC_PORTABLE = 1;
    /** cuEventCreate flags. */
    public static final int EVENT_DEFAULT = 0, EVENT_BLOCKING_SYNC = 1, EVENT_DISABLE_TIMING = 2;
    /** CUstreamCaptureMode values. */
    public static final int CAPTURE_MODE_GLOBAL = 0, CAPTURE_MODE_THREAD_LOCAL = 1, CAPTURE_MODE_RELAXED = 2;
    /** Environment variable choosing the device ordinal (default 0; read by {@code Settings}). */
    public static final String ENV_DEVICE = dev.jrnn.backend.Settings.Key.CUDA_DEVICE.env();

    static final long STAGING_BYTES = 4L << 20;
    private static final int JIT_ERROR_LOG_BUFFER = 5, JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

    private static final FunctionDescriptor I_I = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor I_A = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor I_J = FunctionDescriptor.of(JAVA_INT, JAVA_LONG);
    private static final FunctionDescriptor I_AI = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor I_AJ = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG);
    private static final FunctionDescriptor I_JJ = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor I_JI = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT);

    private final NativeLib lib;
    private final int device;
    private final long context;
    private final String deviceName;
    private final int ccMajor, ccMinor, smCount;
    private final long totalMemory;
    private final int driverVersion;
    private final String elapsedName;

    private final MethodHandle cuGetErrorName, cuGetErrorString, cuCtxSetCurrent, cuCtxSynchronize,
            cuDeviceGetAttribute, cuMemAlloc, cuMemFree, cuMemAllocHost, cuMemcpyHtoDAsync, cuMemcpyDtoHAsync,
            cuMemcpyDtoDAsync, cuMemsetD32Async, cuMemGetInfo, cuStreamCreate, cuStreamSynchronize,
            cuStreamDestroy, cuEventCreate, cuEventRecord, cuEventSynchronize, cuEventElapsedTime, cuEventDestroy,
            cuModuleLoadDataEx, cuModuleUnload, cuModuleGetFunction, cuFuncSetAttribute, cuFuncGetAttribute,
            cuLaunchKernel, cuLaunchCooperativeKernel, cuOccupancyMaxActiveBlocksPerMultiprocessor,
            cuStreamBeginCapture, cuStreamEndCapture, cuGraphInstantiateWithFlags, cuGraphLaunch, cuGraphDestroy,
            cuGraphExecDestroy, cuStreamIsCapturing, cuMemFreeHost, cuStreamWaitEvent, cuMemHostAlloc;

    private static final int STAGING_SLOTS = 2;
    private final Object stagingLock = new Object();
    // Pinned host buffers of STAGING_BYTES, allocated on first use; each with an event recorded after the last
    // host-to-device copy out of it (pending[i] says whether that copy may still be in flight).
    private final MemorySegment[] staging = new MemorySegment[STAGING_SLOTS];
    private final long[] stagingEvent = new long[STAGING_SLOTS];
    private final boolean[] stagingPending = new boolean[STAGING_SLOTS];
    private int nextSlot;
    private boolean stagingHook;

    // Whether this driver's context has been made current on the calling thread.
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private static CudaDriver instance;
    private static CudaException failure;

    /**
     * The process-wide driver: loads libcuda.so.1, {@code cuInit}, takes device 0 (or {@code $JRNN_CUDA_DEVICE}),
     * retains its primary context and makes it current on this thread.
     *
     * @throws CudaException when the library, a symbol, or a device is missing, or initialization fails
     */
    public static synchronized CudaDriver get() {
        if (instance != null) return instance;
        if (failure != null) {
            throw new CudaException(failure.call(), failure.code(), failure.errorName(), failure.detail(), failure);
        }
        try {
            instance = new CudaDriver(CudaLibraries.cuda());
            return instance;
        } catch (CudaException e) {
            failure = e;
            throw e;
        } catch (RuntimeException | LinkageError e) {
            // e.g. native access refused by the JVM's --enable-native-access/--illegal-native-access settings
            failure = new CudaException("CUDA driver initialization", CudaException.NOT_A_CUDA_CODE,
                    "INITIALIZATION_FAILED", e.toString(), e);
            throw failure;
        }
    }

    /** True when {@link #get()} succeeds (library, device and context usable); never throws. */
    public static boolean isAvailable() {
        try {
            get();
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * A driver over an already loaded library, outside the process-wide instance: for tests against a
     * stand-in library. Production code uses {@link #get()}.
     */
    static CudaDriver open(CudaLibraries.Loaded loaded) {
        return new CudaDriver(loaded);
    }

    private CudaDriver(CudaLibraries.Loaded loaded) {
        this.lib = loaded.lib();
        NativeLib l = lib;
        cuGetErrorName = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), "cuGetErrorName");
        cuGetErrorString = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), "cuGetErrorString");
        MethodHandle cuInit = l.downcall(I_I, "cuInit");
        MethodHandle cuDriverGetVersion = l.downcall(I_A, "cuDriverGetVersion");
        MethodHandle cuDeviceGetCount = l.downcall(I_A, "cuDeviceGetCount");
        MethodHandle cuDeviceGet = l.downcall(I_AI, "cuDeviceGet");
        MethodHandle cuDeviceGetName = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                "cuDeviceGetName");
        MethodHandle cuDeviceTotalMem = l.downcall(I_AI, "cuDeviceTotalMem_v2");
        MethodHandle cuDevicePrimaryCtxRetain = l.downcall(I_AI, "cuDevicePrimaryCtxRetain");
        cuDeviceGetAttribute = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                "cuDeviceGetAttribute");
        cuCtxSetCurrent = l.downcall(I_J, "cuCtxSetCurrent");
        cuCtxSynchronize = l.downcall(FunctionDescriptor.of(JAVA_INT), "cuCtxSynchronize");
        cuMemAlloc = l.downcall(I_AJ, "cuMemAlloc_v2");
        cuMemFree = l.downcall(I_J, "cuMemFree_v2");
        cuMemAllocHost = l.downcall(I_AJ, "cuMemAllocHost_v2");
        cuMemFreeHost = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuMemFreeHost");
        cuMemHostAlloc = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), "cuMemHostAlloc");
        cuMemcpyHtoDAsync = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG),
                "cuMemcpyHtoDAsync_v2");
        cuMemcpyDtoHAsync = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                "cuMemcpyDtoHAsync_v2");
        cuMemcpyDtoDAsync = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                "cuMemcpyDtoDAsync_v2");
        cuMemsetD32Async = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG),
                "cuMemsetD32Async");
        cuMemGetInfo = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), "cuMemGetInfo_v2");
        cuStreamCreate = l.downcall(I_AI, "cuStreamCreate");
        cuStreamSynchronize = l.downcall(I_J, "cuStreamSynchronize");
        cuStreamDestroy = l.downcall(I_J, "cuStreamDestroy_v2");
        cuStreamIsCapturing = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS), "cuStreamIsCapturing");
        cuStreamWaitEvent = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), "cuStreamWaitEvent");
        cuEventCreate = l.downcall(I_AI, "cuEventCreate");
        cuEventRecord = l.downcall(I_JJ, "cuEventRecord");
        cuEventSynchronize = l.downcall(I_J, "cuEventSynchronize");
        cuEventElapsedTime = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
                "cuEventElapsedTime_v2", "cuEventElapsedTime");
        elapsedName = l.resolvedNames().get("cuEventElapsedTime_v2");
        cuEventDestroy = l.downcall(I_J, "cuEventDestroy_v2");
        cuModuleLoadDataEx = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS),
                "cuModuleLoadDataEx");
        cuModuleUnload = l.downcall(I_J, "cuModuleUnload");
        cuModuleGetFunction = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS),
                "cuModuleGetFunction");
        cuFuncSetAttribute = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT),
                "cuFuncSetAttribute");
        cuFuncGetAttribute = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG),
                "cuFuncGetAttribute");
        cuLaunchKernel = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS), "cuLaunchKernel");
        cuLaunchCooperativeKernel = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), "cuLaunchCooperativeKernel");
        cuOccupancyMaxActiveBlocksPerMultiprocessor = l.downcall(
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG),
                "cuOccupancyMaxActiveBlocksPerMultiprocessor");
        cuStreamBeginCapture = l.downcall(I_JI, "cuStreamBeginCapture_v2");
        cuStreamEndCapture = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS), "cuStreamEndCapture");
        cuGraphInstantiateWithFlags = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
                "cuGraphInstantiateWithFlags");
        cuGraphLaunch = l.downcall(I_JJ, "cuGraphLaunch");
        cuGraphDestroy = l.downcall(I_J, "cuGraphDestroy");
        cuGraphExecDestroy = l.downcall(I_J, "cuGraphExecDestroy");

        try (Arena a = Arena.ofConfined()) {
            check((int) cuInit.invokeExact(0), "cuInit");
            MemorySegment iv = a.allocate(JAVA_INT);
            check((int) cuDriverGetVersion.invokeExact(iv), "cuDriverGetVersion");
            driverVersion = iv.get(JAVA_INT, 0);
            check((int) cuDeviceGetCount.invokeExact(iv), "cuDeviceGetCount");
            int count = iv.get(JAVA_INT, 0);
            int ordinal = deviceOrdinal(dev.jrnn.backend.Settings.current().cudaDevice(), count);
            check((int) cuDeviceGet.invokeExact(iv, ordinal), "cuDeviceGet", "ordinal " + ordinal);
            device = iv.get(JAVA_INT, 0);
            MemorySegment pv = a.allocate(JAVA_LONG);
            check((int) cuDevicePrimaryCtxRetain.invokeExact(pv, device), "cuDevicePrimaryCtxRetain");
            context = pv.get(JAVA_LONG, 0);
            check((int) cuCtxSetCurrent.invokeExact(context), "cuCtxSetCurrent");
            current.set(Boolean.TRUE);
            MemorySegment name = a.allocate(256);
            check((int) cuDeviceGetName.invokeExact(name, 256, device), "cuDeviceGetName");
            deviceName = name.getString(0);
            check((int) cuDeviceTotalMem.invokeExact(pv, device), "cuDeviceTotalMem_v2");
            totalMemory = pv.get(JAVA_LONG, 0);
            ccMajor = attribute(ATTR_COMPUTE_CAPABILITY_MAJOR);
            ccMinor = attribute(ATTR_COMPUTE_CAPABILITY_MINOR);
            smCount = attribute(ATTR_MULTIPROCESSOR_COUNT);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The device ordinal of the {@code jrnn.cuda.device} setting ({@code JRNN_CUDA_DEVICE}, default 0), checked
     * against {@code count}.
     *
     * @throws CudaException (CUDA_ERROR_NO_DEVICE / CUDA_ERROR_INVALID_DEVICE) naming the variable's value
     */
    static int deviceOrdinal(int ordinal, int count) {
        if (count <= 0) {
            throw new CudaException("cuDeviceGetCount", 100, "CUDA_ERROR_NO_DEVICE", "the driver sees no CUDA device");
        }
        if (ordinal < 0 || ordinal >= count) {
            throw new CudaException("cuDeviceGet", 101, "CUDA_ERROR_INVALID_DEVICE",
                    ENV_DEVICE + "=" + ordinal + " but the driver sees " + count + " device(s)");
        }
        return ordinal;
    }

    // ------------------------------------------------------------------ errors

    /** The {@code CUDA_ERROR_*} name of a status: the driver's {@code cuGetErrorName}, else the built-in table. */
    public String errorName(int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            if ((int) cuGetErrorName.invokeExact(code, p) == 0) {
                MemorySegment s = p.get(ADDRESS, 0);
                if (s.address() != 0) return s.reinterpret(256).getString(0);
            }
        } catch (Throwable ignored) {
            // fall through to the table
        }
        return CudaErrors.driverName(code);
    }

    private String errorString(int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            if ((int) cuGetErrorString.invokeExact(code, p) == 0) {
                MemorySegment s = p.get(ADDRESS, 0);
                if (s.address() != 0) return s.reinterpret(1024).getString(0);
            }
        } catch (Throwable ignored) {
            // no description available
        }
        return null;
    }

    private void check(int status, String call) {
        if (status != 0) throw failure(status, call, null);
    }

    private void check(int status, String call, String context) {
        if (status != 0) throw failure(status, call, context);
    }

    private CudaException failure(int status, String call, String context) {
        String desc = errorString(status);
        String detail = desc == null ? context : context == null ? desc : desc + "; " + context;
        return new CudaException(call, status, errorName(status), detail);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    // ------------------------------------------------------------------ device and context

    /** The device's marketing name, e.g. "NVIDIA H100 80GB HBM3". */
    public String deviceName() {
        return deviceName;
    }

    /** Compute capability as major*10 + minor (90 for sm_90). */
    public int computeCapability() {
        return ccMajor * 10 + ccMinor;
    }

    /** Number of streaming multiprocessors. */
    public int multiprocessorCount() {
        return smCount;
    }

    /** Device memory in bytes. */
    public long totalMemory() {
        return totalMemory;
    }

    /** The device ordinal in use. */
    public int device() {
        return device;
    }

    /** The driver's CUDA version, e.g. 13000 for 13.0. */
    public int driverVersion() {
        return driverVersion;
    }

    /** Any {@code CU_DEVICE_ATTRIBUTE_*} value of this device (see the ATTR_ constants). */
    public int attribute(int attr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) cuDeviceGetAttribute.invokeExact(v, attr, device), "cuDeviceGetAttribute", "attribute " + attr);
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Largest dynamic shared memory a block may opt in to (for {@link #setMaxDynamicSharedMemory}). */
    public int maxSharedMemoryPerBlockOptin() {
        return attribute(ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
    }

    /** Whether {@link #launchCooperative} is supported. */
    public boolean supportsCooperativeLaunch() {
        return attribute(ATTR_COOPERATIVE_LAUNCH) != 0;
    }

    /** Which exported symbol each entry point was bound to (first-choice name → bound name). */
    public Map<String, String> symbols() {
        return lib.resolvedNames();
    }

    /** The name cuEventElapsedTime was bound to ({@code cuEventElapsedTime_v2} or the plain one). */
    String elapsedTimeSymbol() {
        return elapsedName;
    }

    /** Makes the primary context current on the calling thread ({@code cuCtxSetCurrent}). */
    public void makeCurrent() {
        try {
            check((int) cuCtxSetCurrent.invokeExact(context), "cuCtxSetCurrent");
            current.set(Boolean.TRUE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void ensureCurrent() {
        if (!current.get()) makeCurrent();
    }

    /** Waits for all work in the context ({@code cuCtxSynchronize}). */
    public void synchronize() {
        ensureCurrent();
        try {
            check((int) cuCtxSynchronize.invokeExact(), "cuCtxSynchronize");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ memory

    /**
     * {@code cuMemAlloc_v2}: {@code bytes} of device memory (256-byte aligned). Out of memory is a
     * CudaException with CUDA_ERROR_OUT_OF_MEMORY naming the request.
     */
    public long malloc(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("malloc: bytes must be > 0, got " + bytes);
        ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check((int) cuMemAlloc.invokeExact(p, bytes), "cuMemAlloc_v2", "requested " + bytes + " bytes");
            return p.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemFree_v2}; 0 is ignored. */
    public void free(long dptr) {
        if (dptr == 0) return;
        ensureCurrent();
        try {
            check((int) cuMemFree.invokeExact(dptr), "cuMemFree_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemsetD32Async}: sets {@code count} 32-bit words at {@code dptr} to {@code value} on {@code stream}. */
    public void memsetD32(long dptr, int value, long count, long stream) {
        if (count < 0) throw new IllegalArgumentException("memsetD32: count must be >= 0, got " + count);
        if (count == 0) return;
        ensureCurrent();
        try {
            check((int) cuMemsetD32Async.invokeExact(dptr, value, count, stream), "cuMemsetD32Async");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Copies {@code bytes} from host {@code src} to device {@code dst} on {@code stream}. A native {@code src}
     * is copied asynchronously (keep it alive and unchanged until the stream has passed the copy); a heap
     * {@code src} is copied into pinned staging memory first, so the array may be changed as soon as this
     * returns (the device side of the copy is ordered on the stream).
     */
    public void copyHtoD(long dst, MemorySegment src, long bytes, long stream) {
        checkHost("copyHtoD", src, bytes, false);
        if (bytes == 0) return;
        ensureCurrent();
        try {
            if (src.isNative()) {
                check((int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyHtoDAsync_v2");
                return;
            }
            refuseCapture(stream, "copyHtoD");
            synchronized (stagingLock) {
                for (long done = 0; done < bytes; done += STAGING_BYTES) {
                    long n = Math.min(STAGING_BYTES, bytes - done);
                    int i = freeSlot();
                    MemorySegment st = staging[i];
                    MemorySegment.copy(src, done, st, 0, n);
                    check((int) cuMemcpyHtoDAsync.invokeExact(dst + done, st, n, stream), "cuMemcpyHtoDAsync_v2");
                    check((int) cuEventRecord.invokeExact(stagingEvent[i], stream), "cuEventRecord");
                    stagingPending[i] = true;
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Copies {@code bytes} from device {@code src} into host {@code dst} (heap or native) on {@code stream};
     * returns after synchronizing the stream, so {@code dst} holds the data.
     */
    public void copyDtoH(MemorySegment dst, long src, long bytes, long stream) {
        checkHost("copyDtoH", dst, bytes, true);
        if (bytes == 0) return;
        ensureCurrent();
        try {
            if (dst.isNative()) {
                check((int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyDtoHAsync_v2");
                check((int) cuStreamSynchronize.invokeExact(stream), "cuStreamSynchronize");
                return;
            }
            refuseCapture(stream, "copyDtoH");
            synchronized (stagingLock) {
                for (long done = 0; done < bytes; done += STAGING_BYTES) {
                    long n = Math.min(STAGING_BYTES, bytes - done);
                    int i = freeSlot();
                    MemorySegment st = staging[i];
                    check((int) cuMemcpyDtoHAsync.invokeExact(st, src + done, n, stream), "cuMemcpyDtoHAsync_v2");
                    check((int) cuStreamSynchronize.invokeExact(stream), "cuStreamSynchronize");
                    MemorySegment.copy(st, 0, dst, done, n);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code len} floats of {@code src} from {@code srcOff} to device {@code dst}; see {@link #copyHtoD(long, MemorySegment, long, long)}. */
    public void copyHtoD(long dst, float[] src, int srcOff, int len, long stream) {
        java.util.Objects.checkFromIndexSize(srcOff, len, src.length);
        copyHtoD(dst, MemorySegment.ofArray(src).asSlice(4L * srcOff, 4L * len), 4L * len, stream);
    }

    /** {@code len} floats from device {@code src} into {@code dst} at {@code dstOff}; synchronizes the stream. */
    public void copyDtoH(float[] dst, int dstOff, int len, long src, long stream) {
        java.util.Objects.checkFromIndexSize(dstOff, len, dst.length);
        copyDtoH(MemorySegment.ofArray(dst).asSlice(4L * dstOff, 4L * len), src, 4L * len, stream);
    }

    /** {@code cuMemcpyDtoDAsync_v2}: device-to-device copy on {@code stream}. */
    public void copyDtoD(long dst, long src, long bytes, long stream) {
        if (bytes < 0) throw new IllegalArgumentException("copyDtoD: bytes must be >= 0, got " + bytes);
        if (bytes == 0) return;
        ensureCurrent();
        try {
            check((int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyDtoDAsync_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void checkHost(String op, MemorySegment host, long bytes, boolean writes) {
        if (bytes < 0) throw new IllegalArgumentException(op + ": bytes must be >= 0, got " + bytes);
        if (bytes > host.byteSize()) {
            throw new IllegalArgumentException(op + ": " + bytes + " bytes requested but the host segment holds "
                    + host.byteSize());
        }
        if (writes && host.isReadOnly()) throw new IllegalArgumentException(op + ": destination segment is read-only");
    }

    // The next staging buffer, once the device has finished reading it; allocated on first use.
    private int freeSlot() throws Throwable {
        int i = nextSlot;
        nextSlot = (nextSlot + 1) % STAGING_SLOTS;
        if (staging[i] == null) {
            if (!stagingHook) {
                // The driver lives as long as the process: give the pinned buffers back at exit (leak-checkers see it).
                Runtime.getRuntime().addShutdownHook(new Thread(this::releaseStaging, "jrnn-cuda-staging-release"));
                stagingHook = true;
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment p = a.allocate(ADDRESS);
                check((int) cuMemAllocHost.invokeExact(p, STAGING_BYTES), "cuMemAllocHost_v2",
                        "pinned staging buffer of " + STAGING_BYTES + " bytes");
                staging[i] = p.get(ADDRESS, 0).reinterpret(STAGING_BYTES);
                check((int) cuEventCreate.invokeExact(p, EVENT_DISABLE_TIMING), "cuEventCreate");
                stagingEvent[i] = p.get(JAVA_LONG, 0);
            }
        } else if (stagingPending[i]) {
            check((int) cuEventSynchronize.invokeExact(stagingEvent[i]), "cuEventSynchronize");
        }
        stagingPending[i] = false;
        return i;
    }

    /** Frees the pinned staging buffers and their events (after their last copies finished); at JVM exit. */
    void releaseStaging() {
        synchronized (stagingLock) {
            try {
                makeCurrent();
                for (int i = 0; i < STAGING_SLOTS; i++) {
                    if (staging[i] == null) continue;
                    if (stagingPending[i]) {
                        int ignored = (int) cuEventSynchronize.invokeExact(stagingEvent[i]);
                    }
                    int r1 = (int) cuEventDestroy.invokeExact(stagingEvent[i]);
                    int r2 = (int) cuMemFreeHost.invokeExact(staging[i]);
                    staging[i] = null;
                    stagingPending[i] = false;
                }
            } catch (Throwable t) {
                // At exit the context may already be gone; nothing more to free then.
            }
        }
    }

    // A heap copy inside a stream capture would become a graph node that re-reads the staging buffer later.
    private void refuseCapture(long stream, String op) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(JAVA_INT);
            check((int) cuStreamIsCapturing.invokeExact(stream, status), "cuStreamIsCapturing");
            if (status.get(JAVA_INT, 0) != 0) {
                throw new CudaException(op, 900, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
                        "a copy from or to the Java heap cannot be captured into a CUDA graph (stream is capturing)");
            }
        }
    }

    /** {@code cuMemGetInfo_v2}: free device memory in bytes. */
    public long memGetInfoFree() {
        return memGetInfo()[0];
    }

    /** {@code cuMemGetInfo_v2}: {free, total} in bytes. */
    public long[] memGetInfo() {
        ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(JAVA_LONG);
            MemorySegment t = a.allocate(JAVA_LONG);
            check((int) cuMemGetInfo.invokeExact(f, t), "cuMemGetInfo_v2");
            return new long[] {f.get(JAVA_LONG, 0), t.get(JAVA_LONG, 0)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code cuMemHostAlloc} with {@code flags} (HOST_ALLOC_PORTABLE: usable from every context and thread):
     * {@code bytes} of page-locked host memory, which {@code cuMemcpyHtoDAsync} reads by DMA without staging.
     * Free it with {@link #freeHost} once no copy from it is in flight.
     */
    public MemorySegment hostAlloc(long bytes, int flags) {
        if (bytes <= 0) throw new IllegalArgumentException("hostAlloc: bytes must be > 0, got " + bytes);
        ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) cuMemHostAlloc.invokeExact(p, bytes, flags), "cuMemHostAlloc", "page-locked host memory of " + bytes + " bytes");
            return p.get(ADDRESS, 0).reinterpret(bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemFreeHost} of memory from {@link #hostAlloc}. */
    public void freeHost(MemorySegment host) {
        ensureCurrent();
        try {
            check((int) cuMemFreeHost.invokeExact(host), "cuMemFreeHost");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ streams and events

    /** A new non-blocking stream (no implicit synchronization with the legacy default stream). */
    public long streamCreate() {
        return streamCreate(STREAM_NON_BLOCKING);
    }

    /** {@code cuStreamCreate} with {@code flags} (STREAM_DEFAULT or STREAM_NON_BLOCKING). */
    public long streamCreate(int flags) {
        ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check((int) cuStreamCreate.invokeExact(p, flags), "cuStreamCreate");
            return p.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Waits until all work queued on {@code s} is done; reports errors of that work. */
    public void streamSynchronize(long s) {
        ensureCurrent();
        try {
            check((int) cuStreamSynchronize.invokeExact(s), "cuStreamSynchronize");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuStreamDestroy_v2}; 0 is ignored. */
    public void streamDestroy(long s) {
        if (s == 0) return;
        ensureCurrent();
        try {
            check((int) cuStreamDestroy.invokeExact(s), "cuStreamDestroy_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A timing event ({@code cuEventCreate}, CU_EVENT_DEFAULT). */
    public long eventCreate() {
        return eventCreate(EVENT_DEFAULT);
    }

    /** {@code cuEventCreate} with {@code flags}. */
    public long eventCreate(int flags) {
        ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check((int) cuEventCreate.invokeExact(p, flags), "cuEventCreate");
            return p.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuEventRecord} of {@code ev} on stream {@code s}. */
    public void eventRecord(long ev, long s) {
        ensureCurrent();
        try {
            check((int) cuEventRecord.invokeExact(ev, s), "cuEventRecord");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code cuStreamWaitEvent}: work queued on {@code s} after this call waits until the work captured by
     * the last {@link #eventRecord} of {@code ev} is done (the host does not wait). Inside a stream capture
     * this adds the dependency to the graph and brings {@code s} into the capture.
     */
    public void streamWaitEvent(long s, long ev) {
        ensureCurrent();
        try {
            check((int) cuStreamWaitEvent.invokeExact(s, ev, 0), "cuStreamWaitEvent");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Waits for {@code ev} to complete. */
    public void eventSynchronize(long ev) {
        ensureCurrent();
        try {
            check((int) cuEventSynchronize.invokeExact(ev), "cuEventSynchronize");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Milliseconds between two recorded events; waits for {@code end} first. */
    public float eventElapsedMs(long start, long end) {
        eventSynchronize(end);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            check((int) cuEventElapsedTime.invokeExact(ms, start, end), elapsedName);
            return ms.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuEventDestroy_v2}; 0 is ignored. */
    public void eventDestroy(long ev) {
        if (ev == 0) return;
        ensureCurrent();
        try {
            check((int) cuEventDestroy.invokeExact(ev), "cuEventDestroy_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ modules and launches

    /**
     * Loads a module from a fatbin, cubin or PTX image ({@code cuModuleLoadDataEx}; a NUL is appended so PTX
     * text works too). A failure carries the JIT's error log.
     */
    public long moduleLoadFatbin(byte[] image) {
        if (image == null || image.length == 0) throw new IllegalArgumentException("moduleLoadFatbin: empty image");
        ensureCurrent();
        final int logSize = 16384;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L, 16);
            MemorySegment.copy(image, 0, img, JAVA_BYTE, 0, image.length);
            img.set(JAVA_BYTE, image.length, (byte) 0);
            MemorySegment log = a.allocate(logSize);
            MemorySegment opts = a.allocate(MemoryLayout.sequenceLayout(2, JAVA_INT));
            opts.setAtIndex(JAVA_INT, 0, JIT_ERROR_LOG_BUFFER);
            opts.setAtIndex(JAVA_INT, 1, JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
            MemorySegment vals = a.allocate(MemoryLayout.sequenceLayout(2, ADDRESS));
            vals.setAtIndex(ADDRESS, 0, log);
            vals.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(logSize)); // option value is the size itself
            MemorySegment p = a.allocate(JAVA_LONG);
            int r = (int) cuModuleLoadDataEx.invokeExact(p, img, 2, opts, vals);
            if (r != 0) {
                String jitLog = log.getString(0).trim();
                check(r, "cuModuleLoadDataEx", (jitLog.isEmpty() ? "" : "JIT log: " + jitLog + "; ")
                        + "image of " + image.length + " bytes");
            }
            return p.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Loads a module from PTX source text. */
    public long moduleLoadPtx(String ptx) {
        return moduleLoadFatbin(ptx.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code cuModuleUnload}; 0 is ignored. */
    public void moduleUnload(long module) {
        if (module == 0) return;
        ensureCurrent();
        try {
            check((int) cuModuleUnload.invokeExact(module), "cuModuleUnload");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuModuleGetFunction}: the kernel {@code name} (its extern "C" name) in {@code module}. */
    public long function(long module, String name) {
        ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check((int) cuModuleGetFunction.invokeExact(p, module, a.allocateFrom(name)), "cuModuleGetFunction",
                    "kernel '" + name + "'");
            return p.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Lets {@code fn} use up to {@code bytes} of dynamic shared memory (needed above 48 KiB). */
    public void setMaxDynamicSharedMemory(long fn, int bytes) {
        ensureCurrent();
        try {
            check((int) cuFuncSetAttribute.invokeExact(fn, FUNC_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                    "cuFuncSetAttribute", "MAX_DYNAMIC_SHARED_SIZE_BYTES=" + bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuFuncGetAttribute}: a {@code CU_FUNC_ATTRIBUTE_*} value of {@code fn} (see FUNC_ constants). */
    public int functionAttribute(long fn, int attr) {
        ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) cuFuncGetAttribute.invokeExact(v, attr, fn), "cuFuncGetAttribute", "attribute " + attr);
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code cuLaunchKernel} of {@code fn} on {@code stream}. {@code args} in the kernel's parameter order:
     * Long (pointer/int64), Integer (int32), Float (float32), Double; see {@link LaunchArgs}.
     */
    public void launch(long fn, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes, long stream,
                       Object... args) {
        checkDims("launch", gx, gy, gz, bx, by, bz, sharedBytes);
        ensureCurrent();
        MemorySegment params = LaunchArgs.marshalScratch(args);
        try {
            check((int) cuLaunchKernel.invokeExact(fn, gx, gy, gz, bx, by, bz, sharedBytes, stream, params,
                    MemorySegment.NULL), "cuLaunchKernel");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Like {@link #launch} with {@code cuLaunchCooperativeKernel} (all blocks co-resident; grid sync allowed). */
    public void launchCooperative(long fn, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                                  long stream, Object... args) {
        checkDims("launchCooperative", gx, gy, gz, bx, by, bz, sharedBytes);
        ensureCurrent();
        MemorySegment params = LaunchArgs.marshalScratch(args);
        try {
            check((int) cuLaunchCooperativeKernel.invokeExact(fn, gx, gy, gz, bx, by, bz, sharedBytes, stream,
                    params), "cuLaunchCooperativeKernel");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void checkDims(String op, int gx, int gy, int gz, int bx, int by, int bz, int shared) {
        if (gx < 1 || gy < 1 || gz < 1 || bx < 1 || by < 1 || bz < 1 || shared < 0) {
            throw new IllegalArgumentException(op + ": grid (" + gx + "," + gy + "," + gz + ") and block (" + bx + ","
                    + by + "," + bz + ") must be >= 1 and shared bytes >= 0, got " + shared);
        }
    }

    /** {@code cuOccupancyMaxActiveBlocksPerMultiprocessor}: resident blocks per SM at this block size. */
    public int occupancyMaxActiveBlocksPerMultiprocessor(long fn, int blockSize, int dynSmem) {
        ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) cuOccupancyMaxActiveBlocksPerMultiprocessor.invokeExact(v, fn, blockSize, (long) dynSmem),
                    "cuOccupancyMaxActiveBlocksPerMultiprocessor", "block " + blockSize + ", smem " + dynSmem);
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ graphs

    /**
     * Starts capturing {@code s} into a graph ({@code cuStreamBeginCapture_v2}, relaxed mode, so the memory
     * pool may still call cuMemAlloc on a cache miss). Returns {@code s}.
     */
    public long streamBeginCapture(long s) {
        return streamBeginCapture(s, CAPTURE_MODE_RELAXED);
    }

    /** {@code cuStreamBeginCapture_v2} with a CAPTURE_MODE_* value. Returns {@code s}. */
    public long streamBeginCapture(long s, int mode) {
        if (s == 0) throw new IllegalArgumentException("streamBeginCapture: the legacy stream 0 cannot be captured");
        ensureCurrent();
        try {
            check((int) cuStreamBeginCapture.invokeExact(s, mode), "cuStreamBeginCapture_v2");
            return s;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Ends the capture on {@code s}; returns the captured graph ({@code cuStreamEndCapture}). */
    public long streamEndCapture(long s) {
        ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check((int) cuStreamEndCapture.invokeExact(s, p), "cuStreamEndCapture");
            return p.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Ends a capture that failed midway and drops what was captured; never throws (use in finally). */
    public void abortCapture(long s) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            int r = (int) cuStreamEndCapture.invokeExact(s, p);
            long g = p.get(JAVA_LONG, 0);
            if (r == 0 && g != 0) {
                int ignored = (int) cuGraphDestroy.invokeExact(g);
            }
        } catch (Throwable ignored) {
            // nothing more to clean up
        }
    }

    /** {@code cuGraphInstantiateWithFlags(graph, 0)}: an executable graph. */
    public long graphInstantiate(long graph) {
        ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check((int) cuGraphInstantiateWithFlags.invokeExact(p, graph, 0L), "cuGraphInstantiateWithFlags");
            return p.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuGraphLaunch} of an executable graph on {@code s}. */
    public void graphLaunch(long exec, long s) {
        ensureCurrent();
        try {
            check((int) cuGraphLaunch.invokeExact(exec, s), "cuGraphLaunch");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuGraphDestroy}; 0 is ignored. */
    public void graphDestroy(long graph) {
        if (graph == 0) return;
        ensureCurrent();
        try {
            check((int) cuGraphDestroy.invokeExact(graph), "cuGraphDestroy");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuGraphExecDestroy}; 0 is ignored. */
    public void graphExecDestroy(long exec) {
        if (exec == 0) return;
        ensureCurrent();
        try {
            check((int) cuGraphExecDestroy.invokeExact(exec), "cuGraphExecDestroy");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public String toString() {
        return "CudaDriver[" + deviceName + ", sm_" + computeCapability() + ", " + smCount + " SMs, "
                + (totalMemory >> 20) + " MiB, driver " + driverVersion + "]";
    }
}
