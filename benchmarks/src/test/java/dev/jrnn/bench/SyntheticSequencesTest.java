package dev.jrnn.bench;

import dev.jrnn.data.Batch;
import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The synthetic writer's files read back through Dataset.fromRaggedNpy: lengths in range, y = mean of feature 0. */
class SyntheticSequencesTest {
    @TempDir Path dir;

    @Test
    void writesRaggedNpyThatTheDatasetReads() throws IOException {
        long n = SyntheticSequences.write(dir, 200_000, 3, 5, 40, 7);
        assertTrue(n > 0, "sequences written: " + n);
        Dataset ds = Dataset.fromRaggedNpy(dir.resolve("values.npy"), dir.resolve("offsets.npy"), dir.resolve("y.npy"));
        assertEquals(n, ds.size());
        long seen = 0;
        try (BatchStream s = ds.bucketByLength(16, false, 15, 30).epoch(0)) {
            while (s.hasNext()) try (Batch b = s.next()) {
                int[] len = b.lengths();
                float[] x = b.input(0).data(), y = b.target(0).data();
                int t = b.inputShape(0)[1];
                for (int r = 0; r < b.size(); r++) {
                    assertTrue(len[r] >= 5 && len[r] <= 40 && len[r] <= t);
                    double sum = 0;
                    for (int k = 0; k < len[r]; k++) sum += x[(r * t + k) * 3];
                    assertEquals(sum / len[r], y[r], 1e-5, b.where(r));
                }
                seen += b.size();
            }
        }
        assertEquals(n, seen);
    }
}
