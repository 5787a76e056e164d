package dev.jrnn.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PythonFloatTest {
    @Test
    void reprIsPythons() {
        assertEquals("0.0001", PythonFloat.repr(1e-4));
        assertEquals("1e-05", PythonFloat.repr(1e-5));
        assertEquals("1.5e-07", PythonFloat.repr(1.5e-7));
        assertEquals("0.05000000074505806", PythonFloat.repr(0.05000000074505806));
        assertEquals("3.0", PythonFloat.repr(3));
        assertEquals("1e+16", PythonFloat.repr(1e16));
        assertEquals("1234567.0", PythonFloat.repr(1234567));
        assertEquals("0.0", PythonFloat.repr(0));
    }
}
