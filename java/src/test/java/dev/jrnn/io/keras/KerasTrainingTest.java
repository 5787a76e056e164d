package dev.jrnn.io.keras;

import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.schedules.ExponentialDecay;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link KerasTraining}: which Keras training configs compile an imported model, and with what. */
class KerasTrainingTest {
    private static Sequential compiled(String optimizer) {
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        KerasTraining.compile(m, Json.parse("{\"loss\": \"mse\", \"metrics\": [], \"optimizer\": " + optimizer + "}"), "f.keras");
        return m;
    }

    @Test
    void weightDecayOnAnOptimizerJrnnHasWithoutItLeavesTheModelUncompiled() {
        for (String cls : new String[] {"Adam", "SGD"}) {
            try (Sequential m = compiled("{\"class_name\": \"" + cls + "\", \"config\": {\"learning_rate\": 0.01, \"weight_decay\": 0.004}}")) {
                assertNull(m.optimizer(), cls);
            }
            try (Sequential m = compiled("{\"class_name\": \"" + cls + "\", \"config\": {\"learning_rate\": 0.01, \"weight_decay\": null}}")) {
                assertEquals(cls, m.optimizer().name(), "Keras 3's default weight_decay None compiles");
            }
        }
    }

    @Test
    void aKeras2ScheduleCompilesWithTheSchedule() {
        String tfKeras = "{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": {\"class_name\": \"ExponentialDecay\", \"config\": "
                + "{\"initial_learning_rate\": 0.1, \"decay_steps\": 10, \"decay_rate\": 0.5, \"staircase\": true, \"name\": null}}}}";
        try (Sequential m = compiled(tfKeras)) {
            assertEquals(new ExponentialDecay(0.1, 10, 0.5).staircase(true).config(), m.optimizer().schedule().config());
            assertEquals(0.05, m.optimizer().schedule().at(10), 1e-15);
        }
        String unknown = "{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": {\"class_name\": \"InverseTimeDecay\", \"config\": {}}}}";
        try (Sequential m = compiled(unknown)) {
            assertNull(m.optimizer(), "a schedule jrnn lacks leaves the model uncompiled");
        }
    }
}
