package dev.jrnn.io.torch;

import java.nio.ByteBuffer;

/**
 * The element types of a state_dict's tensors: torch's storage classes ({@code torch.FloatStorage}) and safetensors'
 * dtype names ({@code F32}). jrnn's weights are float32: the float types convert (float64 rounds, float16 and bfloat16
 * widen exactly); the integer and bool ones are read only to be ignored (BatchNorm's {@code num_batches_tracked}).
 */
enum TorchDType {
    F32("FloatStorage", 4, true), F64("DoubleStorage", 8, true), F16("HalfStorage", 2, true), BF16("BFloat16Storage", 2, true),
    I64("LongStorage", 8, false), I32("IntStorage", 4, false), I16("ShortStorage", 2, false), I8("CharStorage", 1, false),
    U8("ByteStorage", 1, false), BOOL("BoolStorage", 1, false);

    final String storage;
    final int bytes;
    final boolean floating;

    TorchDType(String storage, int bytes, boolean floating) {
        this.storage = storage;
        this.bytes = bytes;
        this.floating = floating;
    }

    /** The type of torch's {@code torch.<name>} storage class, or null for one jrnn does not read (complex, quantized). */
    static TorchDType ofStorage(String name) {
        for (TorchDType t : values()) if (t.storage.equals(name)) return t;
        return null;
    }

    /** The type of a safetensors dtype name, or null. */
    static TorchDType ofSafetensors(String name) {
        for (TorchDType t : values()) if (t.name().equals(name)) return t;
        return null;
    }

    /** torch's name of the type, for messages: torch.float32, ... */
    String torchName() {
        return switch (this) {
            case F32 -> "torch.float32";
            case F64 -> "torch.float64";
            case F16 -> "torch.float16";
            case BF16 -> "torch.bfloat16";
            case I64 -> "torch.int64";
            case I32 -> "torch.int32";
            case I16 -> "torch.int16";
            case I8 -> "torch.int8";
            case U8 -> "torch.uint8";
            case BOOL -> "torch.bool";
        };
    }

    /** Element {@code i} of {@code b} (in its byte order) as float32; only for the floating types. */
    float get(ByteBuffer b, long i) {
        int at = Math.toIntExact(i * bytes);
        return switch (this) {
            case F32 -> b.getFloat(at);
            case F64 -> (float) b.getDouble(at);
            case F16 -> Float.float16ToFloat(b.getShort(at));
            case BF16 -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
            default -> throw new IllegalStateException(this + " is not a float type");
        };
    }
}
