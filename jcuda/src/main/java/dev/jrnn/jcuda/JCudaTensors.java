package dev.jrnn.jcuda;

import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.cuda.CudaBackend;
import dev.jrnn.backend.cuda.DevicePointers;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUpointer_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * JCuda device memory as jrnn CUDA tensors and back, without copies. Both sides must use the primary context of
 * the device jrnn runs on (what JCuda's runtime API, {@code cudaMalloc}, uses; with the driver API, take it with
 * {@code cuDevicePrimaryCtxRetain} instead of {@code cuCtxCreate}); {@link #wrap} checks this. jrnn never frees
 * memory it wraps, and JCuda must not free memory jrnn owns: a {@link #pointer} is valid until its tensor is closed.
 * jrnn queues work on its own stream: call {@code backend.synchronize()} before JCuda reads what jrnn wrote, and
 * synchronize JCuda's stream before jrnn reads what JCuda wrote.
 *
 * <pre>{@code
 * CudaBackend be = (CudaBackend) Jrnn.backend();
 * CUdeviceptr p = new CUdeviceptr();
 * cuMemAlloc(p, 4L * 32 * 8);                       // in the primary context
 * DTensor x = JCudaTensors.wrap(be, p, 32, 8);       // jrnn reads and writes p's memory
 * CUdeviceptr y = JCudaTensors.pointer(someDTensor); // JCuda reads jrnn's memory
 * }</pre>
 */
public final class JCudaTensors {
    private JCudaTensors() {}

    // JCuda keeps the address in protected/private fields (native address + byte offset; host pointers hold a
    // buffer or an array of pointers). JCuda's packages are open to the unnamed module, so they are read directly.
    private static final VarHandle NATIVE, OFFSET, BUFFER, POINTERS;

    static {
        try {
            MethodHandles.Lookup npo = MethodHandles.privateLookupIn(NativePointerObject.class, MethodHandles.lookup());
            MethodHandles.Lookup p = MethodHandles.privateLookupIn(Pointer.class, MethodHandles.lookup());
            NATIVE = npo.findVarHandle(NativePointerObject.class, "nativePointer", long.class);
            OFFSET = p.findVarHandle(Pointer.class, "byteOffset", long.class);
            BUFFER = p.findVarHandle(Pointer.class, "buffer", java.nio.Buffer.class);
            POINTERS = p.findVarHandle(Pointer.class, "pointers", NativePointerObject[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("jrnn-jcuda: this JCuda version lays out jcuda.Pointer differently "
                    + "(tested with 12.6.0, see README): " + e);
        }
    }

    /**
     * A float32 tensor of {@code shape} over the device memory at {@code ptr} (a {@link CUdeviceptr}, or the
     * {@link Pointer} that {@code cudaMalloc} fills), row-major. The caller keeps the memory alive while the tensor
     * is used; closing the tensor frees nothing.
     *
     * @throws IllegalArgumentException for a null or host pointer, a misaligned address, a bad shape, a null
     *         backend, or memory of another context than jrnn's; IllegalStateException when the backend is closed
     */
    public static DTensor wrap(CudaBackend backend, Pointer ptr, int... shape) {
        long address = address(ptr);
        DTensor t = DevicePointers.wrap(backend, address, shape);
        try {
            checkContext(address);
            return t;
        } catch (RuntimeException e) {
            t.close();   // a view: frees nothing
            throw e;
        }
    }

    /**
     * A {@link CUdeviceptr} at the device memory of {@code t} (a tensor of an open CUDA backend), for JCuda calls
     * and kernel arguments; valid until {@code t} is closed. JCuda must not free it.
     */
    public static CUdeviceptr pointer(DTensor t) {
        return devicePointer(DevicePointers.address(t));
    }

    /** The device address {@code ptr} points at (its base plus byte offset); refuses null and host pointers. */
    public static long address(Pointer ptr) {
        if (ptr == null) throw new IllegalArgumentException("JCudaTensors: pointer is null");
        if (BUFFER.get(ptr) != null || POINTERS.get(ptr) != null) {
            throw new IllegalArgumentException("JCudaTensors: expected a device pointer (CUdeviceptr or one cudaMalloc filled), "
                    + "got a pointer to host memory (Pointer.to(...))");
        }
        long a = (long) NATIVE.get(ptr) + (long) OFFSET.get(ptr);
        if (a == 0) throw new IllegalArgumentException("JCudaTensors: the pointer is null (0): allocate it first (cuMemAlloc / cudaMalloc)");
        return a;
    }

    /** A {@link CUdeviceptr} holding {@code address}; JCuda treats it as any pointer it allocated. */
    static CUdeviceptr devicePointer(long address) {
        CUdeviceptr p = new CUdeviceptr();
        NATIVE.set(p, address);
        return p;
    }

    /** Refuses memory that does not belong to the primary context of jrnn's device (JCuda's natives needed here). */
    static void checkContext(long address) {
        long[] owner = new long[1];   // the CUcontext handle the memory belongs to
        int rc;
        try {   // returns the status, or throws when the user enabled JCuda's exceptions
            rc = JCudaDriver.cuPointerGetAttribute(Pointer.to(owner), CUpointer_attribute.CU_POINTER_ATTRIBUTE_CONTEXT,
                    devicePointer(address));
        } catch (jcuda.CudaException e) {
            rc = CUresult.CUDA_ERROR_INVALID_VALUE;
        }
        if (rc != 0) {
            throw new IllegalArgumentException("JCudaTensors: address 0x" + Long.toHexString(address)
                    + " is not device memory the driver knows (cuPointerGetAttribute: " + CUresult.stringFor(rc) + ")");
        }
        CUdevice dev = new CUdevice();
        JCudaDriver.cuDeviceGet(dev, DevicePointers.device());
        CUcontext primary = new CUcontext();
        JCudaDriver.cuDevicePrimaryCtxRetain(primary, dev);
        try {
            if (owner[0] != (long) NATIVE.get(primary)) {
                throw new IllegalArgumentException("JCudaTensors: the memory at 0x" + Long.toHexString(address)
                        + " belongs to another CUDA context than the primary context of device " + DevicePointers.device()
                        + " that jrnn uses; allocate it in the primary context (cudaMalloc, or cuDevicePrimaryCtxRetain + cuCtxSetCurrent)");
            }
        } finally {
            JCudaDriver.cuDevicePrimaryCtxRelease(dev);
        }
    }
}
