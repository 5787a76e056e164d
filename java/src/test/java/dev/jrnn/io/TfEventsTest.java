package dev.jrnn.io;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The event file's bytes: the version event against Google's protobuf runtime and crcmod's CRC-32C
 * (make_tfevents_golden.py), a scalar against TensorFlow 2.21's own {@code tf.summary.scalar} and TFRecordWriter
 * (make_tfevents_scalar_golden.py; it was the older simple_value form, which Keras' logs do not use).
 */
class TfEventsTest {
    private static byte[] hex(String s) { return HexFormat.of().parseHex(s); }

    @Test
    void theVersionEventAndAScalarAreFramedAsTensorFlowWritesThem() {
        assertArrayEquals(hex("1800000000000000a37f4b22090000207065d4d9411a0d627261696e2e4576656e743a323091d5db"),
                TfEvents.frame(TfEvents.versionEvent(1733400000.5)));
        assertArrayEquals(hex("34000000000000005e33175c090000507065d4d94110072a270a250a0a65706f63685f6c6f7373420a0801120022040000803e4a0b0a090a077363616c61727380ff1a2e"),
                TfEvents.frame(TfEvents.scalarEvent(1733400001.25, "epoch_loss", 7, 0.25)));
    }
}
