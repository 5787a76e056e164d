package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * loadWeights checks a file's arrays' shapes (their dataspaces) against the model before it reads any value: a weight of
 * another shape, however large, is never read.
 */
class KerasWeightFitTest {
    private static final String KERNEL = "/layers/lstm/cell/vars/0";

    @TempDir
    Path tmp;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /**
     * {@code hostile/k.weights.h5} (Keras 3.15.1, make_hostile.py: LSTM kernel (3, 8) float32) with the kernel's dataspace
     * edited to (6, 4) (the same 96 bytes) and its data address moved past the file's end, so its values cannot be read:
     * into the model it does not fit, the refusal is the shape's, the model unchanged; into one it fits (the same edit
     * at shape (3, 8)), the read fails, naming the dataset. Before, loadWeights read every array first, so the misfit
     * too was refused as "dataset /layers/lstm/cell/vars/0 is damaged" (an array of the wrong shape read in full).
     */
    @Test
    void aWeightOfAnotherShapeIsRefusedBeforeItsValuesAreRead() throws IOException {
        try (Model m = Models.load(file("k.keras"))) {
            List<Tensor> before = m.getLayer("lstm").getWeights();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(edited(6, 4)));
            assertTrue(e.getMessage().contains("the file does not match the model: layer 'lstm' weight kernel expected shape (3, 8), "
                    + "the file has (6, 4)"), e.getMessage());
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), m.getLayer("lstm").getWeights().get(i).data());
            IOException unreadable = assertThrows(IOException.class, () -> m.loadWeights(edited(3, 8)));
            assertTrue(unreadable.getMessage().contains("dataset " + KERNEL + " is damaged"), unreadable.getMessage());
        }
    }

    /** k.weights.h5 with the kernel's dims (and maxima) set to ({@code rows}, {@code cols}) and its data address past the file. */
    private Path edited(int rows, int cols) throws IOException {
        return PatchedDataset.of(file("k.weights.h5"), KERNEL).dataAddress(1L << 40).shape(rows, cols)
                .write(tmp.resolve("kernel_" + rows + "x" + cols + ".weights.h5"));
    }

    private static Path file(String name) {
        try {
            return Path.of(KerasWeightFitTest.class.getResource("/dev/jrnn/io/keras/hostile/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
