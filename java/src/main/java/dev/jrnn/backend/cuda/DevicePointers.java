package dev.jrnn.backend.cuda;

import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

/**
 * Interop with other CUDA libraries in the same process (JCuda, JNI code): device memory allocated elsewhere
 * viewed as a jrnn {@link DTensor} without a copy, and the device address of a jrnn tensor. jrnn runs in the
 * primary context of its device ({@link CudaDriver#device()}), so foreign memory must belong to that context
 * (CUDA runtime allocations do; a context made with {@code cuCtxCreate} does not). jrnn works on its own
 * stream: synchronize the producer before the consumer reads ({@link CudaBackend#synchronize()} on jrnn's side).
 *
 * <pre>{@code
 * CudaBackend be = (CudaBackend) Jrnn.backend();
 * DTensor x = DevicePointers.wrap(be, address, 32, 10, 8);   // float32 [32, 10, 8] at address; jrnn never frees it
 * long y = DevicePointers.address(someDTensor);               // valid until someDTensor is closed
 * }</pre>
 */
public final class DevicePointers {
    private DevicePointers() {}

    /**
     * A tensor of {@code shape} over the float32 device memory at {@code address}, row-major, which the caller
     * allocated and keeps alive while the tensor is used. Closing the tensor frees nothing.
     *
     * @throws IllegalArgumentException for a null backend, a zero or misaligned (not a multiple of 4) address,
     *         or a shape that is not positive; IllegalStateException when the backend is closed
     */
    public static DTensor wrap(CudaBackend backend, long address, int... shape) {
        if (address == 0) throw new IllegalArgumentException("DevicePointers.wrap: address is 0 (a null device pointer)");
        if ((address & 3) != 0) {
            throw new IllegalArgumentException("DevicePointers.wrap: address 0x" + Long.toHexString(address)
                    + " is not aligned to 4 bytes, as float32 data must be");
        }
        int n = Tensor.checkedSize("DevicePointers.wrap", shape);
        if (backend == null) throw new IllegalArgumentException("DevicePointers.wrap: backend is null");
        backend.enter();
        return new DTensor(backend, new CudaBuf(backend, address, n, false), shape);
    }

    /**
     * The device address of element 0 of {@code t}, a tensor of an open CUDA backend; valid until {@code t} is
     * closed (jrnn reuses the memory afterwards).
     */
    public static long address(DTensor t) {
        if (t == null) throw new IllegalArgumentException("DevicePointers.address: tensor is null");
        if (!(t.buf() instanceof CudaBuf cb) || !(t.backend() instanceof CudaBackend be)) {
            throw new IllegalArgumentException("DevicePointers.address: expected a tensor of the CUDA backend, got one of "
                    + t.backend().name());
        }
        be.enter();
        return cb.ptr();
    }

    /** Whether {@code t} views memory jrnn does not own (made by {@link #wrap}). */
    public static boolean isWrapped(DTensor t) {
        return t != null && t.buf() instanceof CudaBuf cb && !cb.owned();
    }

    /** The ordinal of the device whose primary context jrnn uses (0, or {@code JRNN_CUDA_DEVICE}). */
    public static int device() {
        return CudaDriver.get().device();
    }
}
