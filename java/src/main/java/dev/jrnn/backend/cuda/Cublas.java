package dev.jrnn.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jrnn.backend.Precision;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * cuBLAS (v2 API) through {@code java.lang.foreign}: one handle, its stream, its workspace, and row-major
 * GEMMs with the semantics of {@code Backend.gemm}.
 *
 * <p>The library is found by {@link CudaLibraries#cublas()}. Symbols: {@code cublasCreate_v2},
 * {@code cublasDestroy_v2}, {@code cublasSetStream_v2}, {@code cublasSetWorkspace_v2},
 * {@code cublasSetMathMode}, {@code cublasGetVersion_v2}, {@code cublasSgemm_v2}, {@code cublasGemmEx},
 * {@code cublasSgemmStridedBatched}, {@code cublasGemmStridedBatchedEx}.
 * The handle gets a 32 MiB device workspace of its own (set again after every {@code setStream}, which resets
 * it), so cuBLAS never allocates inside a CUDA graph capture. Scalars use host pointer mode (read at call
 * time, so captured by value). Calls on one instance are serialized.
 *
 * <p>Precision: FP32 → {@code cublasSgemm_v2} with CUBLAS_DEFAULT_MATH; TF32 →
 * {@code cublasSgemm_v2} with CUBLAS_TF32_TENSOR_OP_MATH; BF16 → {@code cublasGemmEx} on the float32 data
 * with CUBLAS_COMPUTE_32F_FAST_16BF (inputs rounded to bfloat16 inside cuBLAS, float32 accumulation/output).
 *
 * <pre>{@code
 * Cublas blas = Cublas.load(CudaDriver.get());
 * blas.setStream(stream);
 * blas.sgemmRowMajor(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);   // C[m,n] = A[m,k] B[k,n]
 * }</pre>
 */
public final class Cublas implements AutoCloseable {
    static final int OP_N = 0, OP_T = 1;
    static final int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;
    static final int CUDA_R_32F = 0, CUDA_R_16BF = 14;
    static final int COMPUTE_32F = 68, COMPUTE_32F_FAST_16BF = 75, COMPUTE_32F_FAST_TF32 = 77;
    static final int GEMM_DEFAULT = -1;
    /** Workspace given to cuBLAS (NVIDIA's recommendation for Hopper). */
    public static final long WORKSPACE_BYTES = 32L << 20;

    private final CudaDriver driver;
    private final CudaLibraries.Loaded loaded;
    private final MethodHandle cublasDestroy, cublasSetStream, cublasSetWorkspace, cublasSetMathMode, cublasSgemm,
            cublasGemmEx, cublasSgemmBatched, cublasGemmBatchedEx;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment scalars = arena.allocate(16, 8);  // alpha at 0, beta at 8
    private final MemorySegment pa = scalars.asSlice(0, 4), pb = scalars.asSlice(8, 4);
    private final int version;
    private long handle;
    private long workspace;
    private long stream;
    private Precision precision = Precision.FP32;
    private boolean closed;

    /**
     * Finds cuBLAS, creates a handle bound to {@code d}'s context, gives it a workspace.
     *
     * @throws CudaException naming every place searched when cuBLAS is not found, or the failing call
     */
    public static Cublas load(CudaDriver d) {
        return new Cublas(d, CudaLibraries.cublas());
    }

    /**
     * A second, independent handle on the same library, with its own workspace, math mode FP32 and stream 0:
     * for work queued on another stream (one handle's workspace must not be used by two streams at once).
     */
    public Cublas sibling() {
        open();
        return new Cublas(driver, loaded);
    }

    /** A handle from an already loaded library (tests use a stand-in). */
    static Cublas load(CudaDriver d, CudaLibraries.Loaded loaded) {
        return new Cublas(d, loaded);
    }

    private Cublas(CudaDriver d, CudaLibraries.Loaded loaded) {
        this.driver = d;
        this.loaded = loaded;
        NativeLib l = loaded.lib();
        MethodHandle create = l.downcall(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cublasCreate_v2");
        MethodHandle getVersion = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS), "cublasGetVersion_v2");
        cublasDestroy = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG), "cublasDestroy_v2");
        cublasSetStream = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), "cublasSetStream_v2");
        cublasSetWorkspace = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                "cublasSetWorkspace_v2");
        cublasSetMathMode = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT), "cublasSetMathMode");
        cublasSgemm = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
                "cublasSgemm_v2");
        cublasGemmEx = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), "cublasGemmEx");
        cublasSgemmBatched = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT,
                JAVA_LONG, JAVA_INT), "cublasSgemmStridedBatched");
        cublasGemmBatchedEx = l.downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS,
                JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT), "cublasGemmStridedBatchedEx");
        d.ensureCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check((int) create.invokeExact(p), "cublasCreate_v2");
            handle = p.get(JAVA_LONG, 0);
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) getVersion.invokeExact(handle, v), "cublasGetVersion_v2");
            version = v.get(JAVA_INT, 0);
            workspace = d.malloc(WORKSPACE_BYTES);
            setWorkspace();
            check((int) cublasSetMathMode.invokeExact(handle, DEFAULT_MATH), "cublasSetMathMode");
        } catch (Throwable t) {
            close();
            throw CudaDriver.rethrow(t);
        }
    }

    static void check(int status, String call) {
        if (status != 0) throw new CudaException(call, status, CudaErrors.cublasName(status));
    }

    private void setWorkspace() throws Throwable {
        check((int) cublasSetWorkspace.invokeExact(handle, workspace, WORKSPACE_BYTES), "cublasSetWorkspace_v2");
    }

    private void open() {
        if (handle == 0) throw new IllegalStateException("Cublas is closed");
        driver.ensureCurrent();
    }

    /** The {@code cublasHandle_t}. */
    public synchronized long handle() {
        return handle;
    }

    /** Where the library was loaded from (a path, or "loader:libcublas.so.13"). */
    public String libraryPath() {
        return loaded.where();
    }

    /** cuBLAS version, e.g. 130000 + ... as {@code cublasGetVersion} reports it. */
    public int version() {
        return version;
    }

    /** Runs subsequent calls on {@code s} ({@code cublasSetStream_v2}); the workspace is set again. */
    public synchronized void setStream(long s) {
        open();
        try {
            check((int) cublasSetStream.invokeExact(handle, s), "cublasSetStream_v2");
            setWorkspace();
            stream = s;
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** The stream set by {@link #setStream} (0 = legacy default stream). */
    public synchronized long stream() {
        return stream;
    }

    /** FP32 (default) or TF32 tensor-op math for {@link #sgemmRowMajor}; BF16 switches it to GemmEx fast-BF16. */
    public synchronized void setMathMode(Precision p) {
        open();
        int mode = p == Precision.TF32 ? TF32_TENSOR_OP_MATH : DEFAULT_MATH;
        try {
            check((int) cublasSetMathMode.invokeExact(handle, mode), "cublasSetMathMode");
            precision = p;
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** The precision set by {@link #setMathMode}. */
    public synchronized Precision precision() {
        return precision;
    }

    /** Writes alpha and beta where {@code pa} and {@code pb} point (cuBLAS reads them at call time). */
    private void setScalars(float alpha, float beta) {
        scalars.set(JAVA_FLOAT, 0, alpha);
        scalars.set(JAVA_FLOAT, 8, beta);
    }

    /**
     * Row-major {@code C = alpha * op(A) * op(B) + beta * C}, exactly as {@code Backend.gemm}: op(A) is [m, k],
     * op(B) is [k, n], C is [m, n]; {@code lda/ldb/ldc} are row strides (A stored [m, k], or [k, m] when
     * transposed). Pointers are device addresses (offsets already applied). With beta = 0, C is not read.
     * Implemented as the column-major product C^T = op(B)^T op(A)^T, i.e. cuBLAS with the operands swapped.
     */
    public synchronized void sgemmRowMajor(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                           long A, int lda, long B, int ldb, float beta, long C, int ldc) {
        checkGemm("sgemmRowMajor", transA, transB, m, n, k, lda, ldb, ldc);
        if (m == 0 || n == 0) return;
        open();
        setScalars(alpha, beta);
        int opB = transB ? OP_T : OP_N, opA = transA ? OP_T : OP_N;
        try {
            if (precision == Precision.BF16) {
                check((int) cublasGemmEx.invokeExact(handle, opB, opA, n, m, k, pa, B, CUDA_R_32F, ldb, A, CUDA_R_32F,
                        lda, pb, C, CUDA_R_32F, ldc, COMPUTE_32F_FAST_16BF, GEMM_DEFAULT), "cublasGemmEx");
            } else {
                check((int) cublasSgemm.invokeExact(handle, opB, opA, n, m, k, pa, B, ldb, A, lda, pb, C, ldc),
                        "cublasSgemm_v2");
            }
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** The most products one strided-batched cuBLAS call is given (the grid's z dimension); larger batches are split. */
    static final int MAX_BATCH = 65535;

    /**
     * {@link #sgemmRowMajor} over a strided batch ({@code cublasSgemmStridedBatched}; BF16: {@code
     * cublasGemmStridedBatchedEx} with CUBLAS_COMPUTE_32F_FAST_16BF): product i reads A at {@code A + 4 * i * strideA}
     * bytes, B at {@code B + 4 * i * strideB} and writes C at {@code C + 4 * i * strideC} (strides in floats, 0 for a
     * matrix shared by the batch). Batches above {@link #MAX_BATCH} go in several calls.
     */
    public synchronized void sgemmStridedBatchedRowMajor(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                                         long A, int lda, long strideA, long B, int ldb, long strideB,
                                                         float beta, long C, int ldc, long strideC, int batch) {
        checkGemm("sgemmStridedBatchedRowMajor", transA, transB, m, n, k, lda, ldb, ldc);
        if (batch < 0 || strideA < 0 || strideB < 0 || strideC < 0) {
            throw new IllegalArgumentException("sgemmStridedBatchedRowMajor: batch and strides must be >= 0, got batch=" + batch
                    + " strideA=" + strideA + " strideB=" + strideB + " strideC=" + strideC);
        }
        if (m == 0 || n == 0 || batch == 0) return;
        open();
        setScalars(alpha, beta);
        int opB = transB ? OP_T : OP_N, opA = transA ? OP_T : OP_N;
        try {
            for (int from = 0; from < batch; from += MAX_BATCH) {
                int count = Math.min(MAX_BATCH, batch - from);
                long a = A + 4L * from * strideA, b = B + 4L * from * strideB, c = C + 4L * from * strideC;
                if (precision == Precision.BF16) {
                    check((int) cublasGemmBatchedEx.invokeExact(handle, opB, opA, n, m, k, pa, b, CUDA_R_32F, ldb, strideB, a,
                            CUDA_R_32F, lda, strideA, pb, c, CUDA_R_32F, ldc, strideC, count, COMPUTE_32F_FAST_16BF, GEMM_DEFAULT),
                            "cublasGemmStridedBatchedEx");
                } else {
                    check((int) cublasSgemmBatched.invokeExact(handle, opB, opA, n, m, k, pa, b, ldb, strideB, a, lda, strideA, pb,
                            c, ldc, strideC, count), "cublasSgemmStridedBatched");
                }
            }
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /**
     * Row-major GEMM as {@link #sgemmRowMajor} with A and B in bfloat16 (2 bytes per element, converted by a
     * kernel beforehand), C in float32, float32 accumulation ({@code cublasGemmEx}, CUDA_R_16BF inputs,
     * CUBLAS_COMPUTE_32F).
     */
    public synchronized void gemmBf16RowMajor(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                              long A, int lda, long B, int ldb, float beta, long C, int ldc) {
        checkGemm("gemmBf16RowMajor", transA, transB, m, n, k, lda, ldb, ldc);
        if (m == 0 || n == 0) return;
        open();
        setScalars(alpha, beta);
        int opB = transB ? OP_T : OP_N, opA = transA ? OP_T : OP_N;
        try {
            check((int) cublasGemmEx.invokeExact(handle, opB, opA, n, m, k, pa, B, CUDA_R_16BF, ldb, A, CUDA_R_16BF,
                    lda, pb, C, CUDA_R_32F, ldc, COMPUTE_32F, GEMM_DEFAULT), "cublasGemmEx");
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** Argument checks of a row-major GEMM, with the messages Backend.gemm callers see. */
    static void checkGemm(String op, boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(op + ": m, n, k must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        int minLda = Math.max(1, transA ? m : k), minLdb = Math.max(1, transB ? k : n), minLdc = Math.max(1, n);
        if (lda < minLda) {
            throw new IllegalArgumentException(op + ": lda must be >= " + minLda + " (A stored " + (transA ? "[k, m]" : "[m, k]")
                    + "), got " + lda);
        }
        if (ldb < minLdb) {
            throw new IllegalArgumentException(op + ": ldb must be >= " + minLdb + " (B stored " + (transB ? "[n, k]" : "[k, n]")
                    + "), got " + ldb);
        }
        if (ldc < minLdc) throw new IllegalArgumentException(op + ": ldc must be >= " + minLdc + " (C is [m, n]), got " + ldc);
    }

    /** Destroys the handle and frees the workspace; calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        long h = handle, w = workspace;
        handle = 0;
        workspace = 0;
        try {
            if (h != 0) {
                driver.ensureCurrent();
                check((int) cublasDestroy.invokeExact(h), "cublasDestroy_v2");
            }
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        } finally {
            try {
                if (w != 0) driver.free(w);
            } finally {
                arena.close();
            }
        }
    }
}
