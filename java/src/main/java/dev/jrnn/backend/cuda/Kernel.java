package dev.jrnn.backend.cuda;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the typed Java launcher of one {@code extern "C" __global__} kernel of {@code kernels/*.cu}: the launcher's
 * parameters after its {@link Grid} are the kernel's, in order ({@code int} = int32, {@code long} = int64 or, with
 * {@link Ptr}, a device pointer, {@code float}, {@code double}). KernelSignaturesTest parses the sources and holds
 * every launcher to its kernel's signature, since a mismatch would otherwise only show on a GPU.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Kernel {
    /** The kernel's name in the fatbin, e.g. {@code "jrnn_fill"}. */
    String value();
}
