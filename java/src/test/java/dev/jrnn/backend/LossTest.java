package dev.jrnn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The loss enum's codes, which the CUDA loss kernel switches on. */
class LossTest {
    /** Every Java enum code == the JRNN_LOSS_<name> define of kernels/loss.cu, and no define beyond them. */
    @Test
    void cudaCodesMatchTheEnum() throws IOException {
        Map<String, Integer> cuda = new HashMap<>();
        Matcher m = Pattern.compile("#define JRNN_LOSS_([A-Z0-9_]+) (\\d+)")
                .matcher(Files.readString(Path.of("..", "kernels", "loss.cu")));
        while (m.find()) cuda.put(m.group(1), Integer.parseInt(m.group(2)));
        for (Loss l : Loss.values()) assertEquals(l.code(), cuda.get(l.name()), "loss.cu JRNN_LOSS_" + l.name());
        assertEquals(Loss.values().length, cuda.size(), "loss.cu defines a code the enum lacks: " + cuda.keySet());
    }
}
