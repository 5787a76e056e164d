package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A torch.save zip damaged in one field (files by {@code dev/jrnn/io/torch/damaged/make_damaged.py}; torch 1.13 refuses
 * both, "invalid header or archive is corrupted"): an IOException naming the file and the record, the model unchanged.
 * java.util.zip's own exceptions (a ZipException, an EOFException without a message) came out as they were.
 */
class DamagedTorchFilesTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    static Path file(String name) throws URISyntaxException {
        return Path.of(DamagedTorchFilesTest.class.getResource("/dev/jrnn/io/torch/damaged/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad_local_header.pt", "local_offset_past_end.pt"})
    void aDamagedRecordIsANamedIOException(String name) throws Exception {
        Path f = file(name);
        try (Model m = new Sequential(new LSTM(2).name("lstm").inputShape(4, 3), new Dense(1).name("dense"))) {
            Models.loadTorchWeights(m, file("ok.pt"));   // the undamaged file loads
            List<Tensor> before = m.getWeights();
            IOException e = assertThrows(IOException.class, () -> Models.loadTorchWeights(m, f));
            assertEquals(IOException.class, e.getClass(), "not java.util.zip's own: " + e);
            String msg = e.getMessage();
            assertTrue(msg != null && msg.contains(f.toString()), "names the file: " + msg);
            assertTrue(msg.contains("data/1") && msg.contains("damaged"), "names the record and what broke: " + msg);
            List<Tensor> after = m.getWeights();
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), after.get(i).data());
        }
    }
}
