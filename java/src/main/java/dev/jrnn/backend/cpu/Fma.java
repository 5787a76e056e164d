package dev.jrnn.backend.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Every multiply-add of the CPU kernels: {@code a * b + c}, fused (one rounding) where the JVM has hardware FMA, else a
 * multiply and an add (two roundings). Without hardware FMA ({@code -XX:-UseFMA}: an x86 CPU without FMA3, or a VM whose
 * CPU model hides it, such as QEMU's qemu64 / kvm64 or Proxmox' x86-64-v2) HotSpot computes {@link Math#fma} and
 * {@link FloatVector#fma} per lane through BigDecimal, about 1000x slower than a multiply and an add.
 *
 * <p>{@link #HARDWARE} is static final, so C2 folds the branch: with FMA the compiled kernels are what a direct
 * {@code a.fma(b, c)} gives, bit for bit. The helpers are a few bytecodes, which C2 inlines (the Vector API needs
 * every call inlined to keep vectors in registers) unless the caller's graph has grown past C2's node-count limit
 * (NodeCountInliningCutoff): without FMA every call is two vector operations, which pushed tanh's 12 past it, so
 * {@link VMath} has a no-FMA tanh in two smaller methods.
 */
final class Fma {
    private Fma() {}

    /**
     * Whether this JVM computes fma in hardware: HotSpot's {@code UseFMA}. Where the option or the management bean is
     * absent (another JVM, a runtime image without {@code jdk.management}) it is taken as present, the fused path these
     * kernels had before the flag was read.
     */
    static final boolean HARDWARE = JvmOptions.bool("UseFMA", true);

    /** {@code a * b + c} lane-wise. */
    static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
        return HARDWARE ? a.fma(b, c) : a.mul(b).add(c);
    }

    /** {@code a * b + c}. */
    static float fma(float a, float b, float c) {
        return HARDWARE ? Math.fma(a, b, c) : a * b + c;
    }
}
