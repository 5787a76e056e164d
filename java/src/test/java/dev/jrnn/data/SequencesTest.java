package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' pad_sequences and to_categorical, against their docstring examples. */
class SequencesTest {
    private static final List<int[]> KERAS = List.of(new int[] {1}, new int[] {2, 3}, new int[] {4, 5, 6});

    private static void assertTensor(float[] expected, int[] shape, Tensor t) {
        assertArrayEquals(shape, t.shape());
        assertArrayEquals(expected, t.data());
    }

    @Test
    void padSequencesAsKerasDocstring() {
        assertTensor(new float[] {0, 0, 1, 0, 2, 3, 4, 5, 6}, new int[] {3, 3}, Sequences.pad(KERAS));
        assertTensor(new float[] {-1, -1, 1, -1, 2, 3, 4, 5, 6}, new int[] {3, 3}, Sequences.pad(KERAS, -1, "pre", "pre", -1));
        assertTensor(new float[] {1, 0, 0, 2, 3, 0, 4, 5, 6}, new int[] {3, 3}, Sequences.pad(KERAS, -1, "post", "pre", 0));
        assertTensor(new float[] {0, 1, 2, 3, 5, 6}, new int[] {3, 2}, Sequences.pad(KERAS, 2, "pre", "pre", 0));
        // truncating "post" keeps the front; an empty sequence is all value
        assertTensor(new float[] {9, 1, 2, 3, 4, 5, 9, 9}, new int[] {4, 2},
                Sequences.pad(List.of(new int[] {1}, new int[] {2, 3}, new int[] {4, 5, 6}, new int[0]), 2, "pre", "post", 9));
    }

    @Test
    void padTensorsKeepsTheStepShape() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), b = Tensor.of(new float[] {5, 6}, 1, 2);
        assertTensor(new float[] {1, 2, 3, 4, 5, 6, 0, 0}, new int[] {2, 2, 2}, Sequences.padTensors(List.of(a, b), -1, "post", "pre", 0));
        assertTensor(new float[] {3, 4, 5, 6}, new int[] {2, 1, 2}, Sequences.padTensors(List.of(a, b), 1, "pre", "pre", 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sequences.padTensors(List.of(a, Tensor.of(new float[] {1, 2, 3}, 1, 3)), -1, "pre", "pre", 0));
        assertTrue(e.getMessage().contains("sequences[1] has steps of shape (3,)") && e.getMessage().contains("expected (2,)"), e.getMessage());
    }

    @Test
    void toCategoricalAsKerasDocstring() {
        assertTensor(new float[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, new int[] {4, 4}, Sequences.toCategorical(new int[] {0, 1, 2, 3}, 4));
        // (n, 1) drops its trailing 1; numClasses 0 counts the largest index + 1; a sequence of labels gets a class axis
        assertTensor(new float[] {0, 0, 1, 1, 0, 0}, new int[] {2, 3}, Sequences.toCategorical(Tensor.of(new float[] {2, 0}, 2, 1), 0));
        assertTensor(new float[] {0, 1, 1, 0, 0, 1, 0, 1}, new int[] {2, 2, 2}, Sequences.toCategorical(Tensor.of(new float[] {1, 0, 1, 1}, 2, 2), 2));
    }

    /** Ids up to +-2^24 come out exact (a float32 holds every integer up to there); one beyond is refused (BadInputTest). */
    @Test
    void idsUpToTwoToThe24ComeOutExact() {
        assertArrayEquals(new float[] {0, -16777216, 16777216, 16777215}, Sequences.pad(List.of(new int[] {-16777216, 16777216, 16777215}),
                4, "pre", "pre", 0).data());
    }
}
