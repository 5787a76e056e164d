package dev.jrnn.backend;

/** Arithmetic of matrix products. The CPU always computes in FP32; CUDA honours all three. */
public enum Precision {
    /** IEEE float32 everywhere. */
    FP32,
    /** Tensor-core TF32 matrix products, float32 storage and elementwise math. */
    TF32,
    /** BF16 matrix-product inputs with float32 accumulation, float32 storage of state. */
    BF16
}
