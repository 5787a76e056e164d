package com.example;

import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** A test of the separate project: Surefire's argLine from README gives the forked JVM the flags jrnn needs. */
class MainTest {
    @Test
    void aModelPredictsInsideSurefire() {
        Sequential model = new Sequential(new LSTM(4).inputShape(10, 1), new Dense(1));
        model.compile("adam", "mse");
        assertArrayEquals(new int[] {3, 1}, model.predict(Main.sine(3, 10, 0)).shape());
    }
}
