package dev.jrnn.backend.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sumRows splits its columns over the cores (as many parts as the machine has, up to cols / VL);
 * the blocks must cover every column exactly once for every part count, not only the 1 or 2 of a
 * small CI machine. With 4 parts over 5 vectors + 1 column, rounding the block up to 2 vectors used
 * to start the last block past the end and drop the tail column.
 */
class SumRowsPartitionTest {
    @Test
    void blocksCoverEveryColumnOnceForAnyPartCount() {
        for (int parts = 1; parts <= 16; parts++) {
            for (int cols = 1; cols <= 12 * VMath.VL + 3; cols++) {
                int prev = CpuBackend.columnStart(0, parts, cols);
                assertEquals(0, prev, "parts=" + parts + " cols=" + cols + ": first block starts at 0");
                for (int part = 0; part < parts; part++) {
                    int j0 = CpuBackend.columnStart(part, parts, cols), j1 = CpuBackend.columnStart(part + 1, parts, cols);
                    assertEquals(prev, j0, "parts=" + parts + " cols=" + cols + ": block " + part + " starts where the last ended");
                    assertTrue(j1 >= j0, "parts=" + parts + " cols=" + cols + ": block " + part + " is [" + j0 + ", " + j1 + ")");
                    assertTrue(j0 % VMath.VL == 0, "parts=" + parts + " cols=" + cols + ": block " + part + " starts vector-aligned at " + j0);
                    prev = j1;
                }
                assertEquals(cols, prev, "parts=" + parts + " cols=" + cols + ": the blocks end at cols");
            }
        }
    }
}
