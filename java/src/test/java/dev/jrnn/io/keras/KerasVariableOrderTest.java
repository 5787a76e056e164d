package dev.jrnn.io.keras;

import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Param;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link KerasVariableOrder}: the order of a Keras model's trainable variables, which the optimizer's slots follow. */
class KerasVariableOrderTest {
    /**
     * The writer's order of a nested file: the trainable weights as the layers hold them, and an IllegalStateException
     * naming the model where the layers miss one (the file's slots would follow the flat order while its config and
     * weights nest: Keras would read moments onto other variables of the same shape). Before, the flat order came back
     * silently; the reader's {@code withUnused} keeps that fallback.
     */
    @Test
    void theWrittenOrderFollowsTheLayersAndRefusesLayersThatMissATrainableWeight() {
        Input x = Input.shape(3);
        Dense d1 = new Dense(3), d2 = new Dense(3);
        try (Model m = new Model(x, d2.apply(d1.apply(x)))) {
            List<Param> trainable = new ArrayList<>(d1.params());
            trainable.addAll(d2.params());
            List<Param> reversed = new ArrayList<>(d2.params());
            reversed.addAll(d1.params());
            assertEquals(reversed, KerasVariableOrder.written("m", List.of(d2, d1), trainable));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> KerasVariableOrder.written("m", List.of(d2), trainable));
            assertEquals("m: trainable weight 'kernel' is in none of the layers of its nested Keras order, so the optimizer's "
                    + "slots cannot be written in it", e.getMessage());
            assertSame(trainable, KerasVariableOrder.withUnused(List.of(d2), trainable, new java.util.HashSet<>()));
        }
    }
}
