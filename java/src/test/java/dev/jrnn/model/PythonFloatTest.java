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
        assertEquals("5e-324", PythonFloat.repr(Double.MIN_VALUE));   // Java: 4.9E-324
        assertEquals("2.5e-323", PythonFloat.repr(5 * Double.MIN_VALUE));
        assertEquals("1.7976931348623157e+308", PythonFloat.repr(Double.MAX_VALUE));
        assertEquals("0.1", PythonFloat.repr(0.1));
        assertEquals("9.5", PythonFloat.repr(9.5));
        assertEquals("3.0", PythonFloat.repr(3));
        assertEquals("1e+16", PythonFloat.repr(1e16));
        assertEquals("1234567.0", PythonFloat.repr(1234567));
        assertEquals("0.0", PythonFloat.repr(0));
    }
}
