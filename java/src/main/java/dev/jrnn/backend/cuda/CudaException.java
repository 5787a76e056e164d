package dev.jrnn.backend.cuda;

/**
 * A failed CUDA driver or cuBLAS call, or a CUDA library that could not be found or loaded.
 *
 * <p>The message names the call and the error, e.g.
 * {@code "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)"}. Library and symbol problems use
 * code {@link #NOT_A_CUDA_CODE} (-1) and a descriptive error name such as {@code LIBRARY_NOT_FOUND}.
 *
 * <pre>{@code
 * try { long p = CudaDriver.get().malloc(1L << 50); }
 * catch (CudaException e) { if (e.isOutOfMemory()) System.err.println(e.getMessage()); }
 * }</pre>
 */
public class CudaException extends RuntimeException implements dev.jrnn.backend.BackendFailure {
    /** The code used when the failure is not a status returned by CUDA (library or symbol missing). */
    public static final int NOT_A_CUDA_CODE = -1;

    private final String call;
    private final int code;
    private final String errorName;
    private final String detail;

    /** {@code call} failed with status {@code code} whose symbolic name is {@code errorName}. */
    public CudaException(String call, int code, String errorName) {
        this(call, code, errorName, null, null);
    }

    /** As {@link #CudaException(String, int, String)} with extra detail appended to the message. */
    public CudaException(String call, int code, String errorName, String detail) {
        this(call, code, errorName, detail, null);
    }

    /** As {@link #CudaException(String, int, String, String)} with a cause. */
    public CudaException(String call, int code, String errorName, String detail, Throwable cause) {
        super(format(call, code, errorName, detail), cause);
        this.call = call;
        this.code = code;
        this.errorName = errorName;
        this.detail = detail;
    }

    private static String format(String call, int code, String errorName, String detail) {
        StringBuilder sb = new StringBuilder();
        sb.append(call).append(" failed: ").append(errorName);
        if (code != NOT_A_CUDA_CODE) sb.append(" (").append(code).append(')');
        if (detail != null && !detail.isEmpty()) sb.append(": ").append(detail);
        return sb.toString();
    }

    /** The API call (or loading step) that failed, e.g. {@code cuMemAlloc_v2}. */
    public String call() {
        return call;
    }

    /** The status code CUDA/cuBLAS returned, or {@link #NOT_A_CUDA_CODE}. */
    public int code() {
        return code;
    }

    /** The symbolic name of the status, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public String errorName() {
        return errorName;
    }

    /** The detail text after the error name (the loader's reason, the places tried...), or null. */
    public String detail() {
        return detail;
    }

    /** True when the device (driver or cuBLAS) ran out of memory. */
    public boolean isOutOfMemory() {
        return "CUDA_ERROR_OUT_OF_MEMORY".equals(errorName) || "CUBLAS_STATUS_ALLOC_FAILED".equals(errorName);
    }
}
