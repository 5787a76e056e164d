package dev.jrnn.data;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The element types a data file may hold, with their NumPy and safetensors names. jrnn trains in
 * float32: every other type converts to float32 on read, and only when the dataset was asked to
 * ({@link Dataset#asFloat32()}), since float64 loses precision and integers may be labels.
 *
 * <pre>{@code
 * DType t = Npy.header(Path.of("labels.npy")).dtype();   // e.g. INT64
 * int bytes = t.width();                                 // 8
 * }</pre>
 */
public enum DType {
    /** IEEE half precision: NumPy's {@code float16} (f2), safetensors' F16. */
    FLOAT16("f2", "F16", 2),
    /** bfloat16: safetensors' BF16 (NumPy has none). */
    BFLOAT16(null, "BF16", 2),
    /** NumPy's {@code float32} (f4), safetensors' F32: what jrnn trains in. */
    FLOAT32("f4", "F32", 4),
    /** NumPy's {@code float64} (f8), safetensors' F64. */
    FLOAT64("f8", "F64", 8),
    /** NumPy's {@code int8} (i1), safetensors' I8. */
    INT8("i1", "I8", 1),
    /** NumPy's {@code int16} (i2), safetensors' I16. */
    INT16("i2", "I16", 2),
    /** NumPy's {@code int32} (i4), safetensors' I32. */
    INT32("i4", "I32", 4),
    /** NumPy's {@code int64} (i8), safetensors' I64. */
    INT64("i8", "I64", 8),
    /** NumPy's {@code uint8} (u1), safetensors' U8. */
    UINT8("u1", "U8", 1),
    /** NumPy's {@code uint16} (u2), safetensors' U16. */
    UINT16("u2", "U16", 2),
    /** NumPy's {@code uint32} (u4), safetensors' U32. */
    UINT32("u4", "U32", 4),
    /** NumPy's {@code uint64} (u8), safetensors' U64. */
    UINT64("u8", "U64", 8),
    /** NumPy's {@code bool} (b1), safetensors' BOOL: one byte per value. */
    BOOL("b1", "BOOL", 1);

    private final String numpy, safetensors;
    private final int width;

    DType(String numpy, String safetensors, int width) {
        this.numpy = numpy;
        this.safetensors = safetensors;
        this.width = width;
    }

    /** Bytes per element. */
    public int width() { return width; }

    /** The NumPy kind and size, e.g. {@code f4} (without the byte-order mark). */
    public String numpyName() { return numpy; }

    /** The type for a NumPy kind+size such as {@code f8}, or null when jrnn does not read it. */
    static DType ofNumpy(String kindSize) {
        for (DType t : values()) if (kindSize.equals(t.numpy)) return t;
        return null;
    }

    /** The type for a safetensors dtype such as {@code F32}, or null when jrnn does not read it. */
    static DType ofSafetensors(String name) {
        for (DType t : values()) if (name.equals(t.safetensors)) return t;
        return null;
    }

    /**
     * Copies {@code n} elements from {@code src} at byte {@code srcByte} (in {@code order}) into the
     * float32 segment {@code dst} at float index {@code dstFloat}, converting.
     */
    void toFloats(MemorySegment src, long srcByte, ByteOrder order, MemorySegment dst, long dstFloat, long n) {
        if (this == FLOAT32) {
            MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order), srcByte,
                    dst, ValueLayout.JAVA_FLOAT_UNALIGNED, dstFloat * 4, n);
            return;
        }
        ValueLayout.OfFloat out = ValueLayout.JAVA_FLOAT_UNALIGNED;
        for (long i = 0; i < n; i++) dst.set(out, (dstFloat + i) * 4, get(src, srcByte + i * width, order));
    }

    private float get(MemorySegment s, long at, ByteOrder o) {
        return switch (this) {
            case FLOAT16 -> Float.float16ToFloat(s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o), at));
            case BFLOAT16 -> Float.intBitsToFloat((s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o), at) & 0xffff) << 16);
            case FLOAT32 -> s.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(o), at);
            case FLOAT64 -> (float) s.get(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(o), at);
            case INT8 -> s.get(ValueLayout.JAVA_BYTE, at);
            case INT16 -> s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o), at);
            case INT32 -> s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(o), at);
            case INT64 -> s.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(o), at);
            case UINT8 -> s.get(ValueLayout.JAVA_BYTE, at) & 0xff;
            case UINT16 -> s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o), at) & 0xffff;
            case UINT32 -> s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(o), at) & 0xffffffffL;
            case UINT64 -> unsigned(s.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(o), at));
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, at) != 0 ? 1f : 0f;
        };
    }

    /** Reads one element as an exact long (integer types only): offsets of ragged data. */
    long getLong(MemorySegment s, long at, ByteOrder o) {
        return switch (this) {
            case INT8 -> s.get(ValueLayout.JAVA_BYTE, at);
            case INT16 -> s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o), at);
            case INT32 -> s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(o), at);
            case INT64, UINT64 -> s.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(o), at);
            case UINT8 -> s.get(ValueLayout.JAVA_BYTE, at) & 0xff;
            case UINT16 -> s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o), at) & 0xffff;
            case UINT32 -> s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(o), at) & 0xffffffffL;
            default -> throw new IllegalStateException(this + " is not an integer type");
        };
    }

    boolean isInteger() {
        return this != FLOAT16 && this != BFLOAT16 && this != FLOAT32 && this != FLOAT64 && this != BOOL;
    }

    private static float unsigned(long v) {
        return v >= 0 ? v : (float) ((v >>> 1) | (v & 1)) * 2f;
    }
}
