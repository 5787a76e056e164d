package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras files (a jrnn-saved .keras and .h5, a real Keras 2 .h5 from the fixtures) damaged at random, seeded: bytes
 * flipped, overwritten, the file cut. Each load either succeeds or ends in an IOException whose message names the file;
 * never a bare library exception (jhdf's, an ArithmeticException, an IndexOutOfBoundsException, ...), and a dataset
 * jhdf cannot read is named (it said "not a readable Keras file (io.jhdf.exceptions.HdfException: Failed to map data
 * buffer ...)" or "(... HdfTypeException: Unsupported signed fixed point data type)" before). 450 loads, ~15 s.
 */
class KerasImportFuzzTest {
    private static final int ROUNDS_PER_FILE = 150;

    @Test
    void damagedKerasFilesLoadOrEndInAnIOExceptionNamingTheFile(@TempDir Path dir) throws IOException {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        List<Path> sources = new ArrayList<>();
        try (Sequential m = new Sequential(new LSTM(4).inputShape(3, 2), new Dense(1))) {
            for (String name : List.of("m.keras", "m.h5")) {
                m.save(dir.resolve(name));
                sources.add(dir.resolve(name));
            }
        }
        sources.add(KerasFixtures.dir().resolve("simple_lstm_model.h5"));   // Keras 2's
        SplittableRandom rng = new SplittableRandom(30);
        List<String> bare = new ArrayList<>(), unnamed = new ArrayList<>();
        int loaded = 0, refused = 0;
        for (Path src : sources) {
            byte[] good = Files.readAllBytes(src);
            for (int round = 0; round < ROUNDS_PER_FILE; round++) {
                byte[] bad = mutate(good, rng);
                Path f = dir.resolve("fuzz_" + round + "_" + src.getFileName());
                Files.write(f, bad);
                try (Model ignored = Models.load(f)) {
                    loaded++;
                } catch (IOException e) {
                    refused++;
                    // jhdf's failure to read a dataset's values or type names the dataset (seed 30 meets both)
                    if (e.getMessage() != null && e.getMessage().contains("not a readable Keras file (io.jhdf")
                            && (e.getMessage().contains("data buffer") || e.getMessage().contains("data type"))) {
                        unnamed.add(f.getFileName() + ": " + e.getMessage());
                    }
                    if (e.getMessage() == null || !e.getMessage().startsWith(f.toString())) bare.add(f.getFileName() + ": " + e);
                } catch (RuntimeException | Error e) {
                    bare.add(f.getFileName() + ": " + e);
                }
                Files.delete(f);
            }
        }
        assertEquals(List.of(), bare, "loads that ended in something other than an IOException naming the file");
        assertEquals(List.of(), unnamed, "dataset reads whose failure does not name the dataset");
        assertTrue(refused > loaded, "the mutations must mostly damage the files: " + refused + " refused, " + loaded + " loaded");
    }

    /** One to four bytes flipped or overwritten, or the file cut (a quarter of the rounds). */
    private static byte[] mutate(byte[] good, SplittableRandom rng) {
        byte[] b = good.clone();
        if (rng.nextInt(4) == 0) return java.util.Arrays.copyOf(b, rng.nextInt(b.length));
        int n = 1 + rng.nextInt(4);
        for (int i = 0; i < n; i++) {
            int at = rng.nextInt(b.length);
            b[at] = rng.nextBoolean() ? (byte) (b[at] ^ (1 << rng.nextInt(8))) : (byte) rng.nextInt(256);
        }
        return b;
    }
}
