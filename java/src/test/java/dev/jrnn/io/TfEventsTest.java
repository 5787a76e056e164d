package dev.jrnn.io;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The event file's bytes against Google's protobuf runtime and crcmod's CRC-32C (make_tfevents_golden.py). */
class TfEventsTest {
    private static byte[] hex(String s) { return HexFormat.of().parseHex(s); }

    @Test
    void theVersionEventAndAScalarAreFramedAsTensorFlowWritesThem() {
        assertArrayEquals(hex("1800000000000000a37f4b22090000207065d4d9411a0d627261696e2e4576656e743a323091d5db"),
                TfEvents.frame(TfEvents.versionEvent(1733400000.5)));
        assertArrayEquals(hex("200000000000000029eda950090000507065d4d94110072a130a110a0a65706f63685f6c6f7373150000803e49100353"),
                TfEvents.frame(TfEvents.scalarEvent(1733400001.25, "epoch_loss", 7, 0.25)));
    }
}
