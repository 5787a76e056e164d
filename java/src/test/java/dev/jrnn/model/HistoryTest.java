package dev.jrnn.model;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HistoryTest {
    @Test
    void csvNumbersAreWrittenAsKerasCsvLoggerWritesThem() {
        // Python's csv module writes a float's repr: 0.0001 and 12345678.0, not Java's 1.0E-4 and 1.2345678E7
        History h = new History();
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", 1e-4);
        logs.put("mae", 12345678.0);
        h.add(3, logs);
        logs.put("loss", 2.5e-7);
        logs.put("mae", 0.125);
        h.add(4, logs);
        assertEquals("epoch,loss,mae\n3,0.0001,12345678.0\n4,2.5e-07,0.125\n", h.toCsvString());
        assertEquals(List.of(3, 4), h.epochs());
        assertEquals(List.of(1e-4, 2.5e-7), h.get("loss"));
    }
}
