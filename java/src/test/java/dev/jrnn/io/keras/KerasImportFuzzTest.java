package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras files (a jrnn-saved .keras and .h5, a real Keras 2 .h5 from the fixtures) damaged at random, seeded: bytes
 * flipped, overwritten, the file cut. Each load either succeeds or ends in an IOException naming the file in jrnn's own
 * words ({@link #bare}): never a library's exception or its bare text. The mutations that found a defect are kept as
 * cases of their own. The random sweep is short by default ({@link #ROUNDS} rounds per file: ~1.5 s after the other
 * Keras tests have warmed the JVM, 4-5 s in a JVM of its own on the loaded 2-core machine, most of it the first loads'
 * compilation), longer with {@code -Djrnn.fuzzRounds=150} (450 loads, the sweep that found them; seeds 30-32 pass).
 */
class KerasImportFuzzTest {
    private static final int ROUNDS = Integer.getInteger("jrnn.fuzzRounds", 10);
    private static final long SEED = Long.getLong("jrnn.fuzzSeed", 30);
    @TempDir
    static Path dir;
    private static final List<Path> SOURCES = new ArrayList<>();

    @BeforeAll
    static void sources() throws IOException {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        try (Sequential m = new Sequential(new LSTM(4).inputShape(3, 2), new Dense(1))) {
            for (String name : List.of("m.keras", "m.h5")) {
                m.save(dir.resolve(name));
                SOURCES.add(dir.resolve(name));
            }
        }
        SOURCES.add(KerasFixtures.dir().resolve("simple_lstm_model.h5"));   // Keras 2's
    }

    @Test
    void damagedKerasFilesLoadOrEndInAnIOExceptionNamingTheFile() throws IOException {
        SplittableRandom rng = new SplittableRandom(SEED);
        List<String> bare = new ArrayList<>();
        int loaded = 0, refused = 0;
        for (Path src : SOURCES) {
            byte[] good = Files.readAllBytes(src);
            for (int round = 0; round < ROUNDS; round++) {
                Path f = dir.resolve("fuzz_" + round + "_" + src.getFileName());
                Files.write(f, mutate(good, rng));
                Throwable e = load(f);
                if (e == null) loaded++;
                else refused++;
                String why = e == null ? null : bare(f, e);
                if (why != null) bare.add(f.getFileName() + ": " + why + ": " + e);
                Files.delete(f);
            }
        }
        assertEquals(List.of(), bare, "loads that ended in something other than an IOException naming the file in jrnn's words");
        assertTrue(refused > loaded, "the mutations must mostly damage the files: " + refused + " refused, " + loaded + " loaded");
    }

    /**
     * The mutations (offset=byte, as the sweep of seeds 30-33 met them) that ended in a library's own exception or words,
     * each now refused naming what is damaged. Superblock: an address past a long ("Could not convert to unsigned
     * value"), its checksum, a size field of 243 bytes (jhdf's IllegalArgumentException, passed on as if jrnn's words);
     * a global heap index past its collection (the root's keras_version attribute) and, made by hand, a collection of an
     * unknown version (byte 2148, the model_config's: jhdf's "Error reading global heap"); an optimizer weight's dimensions
     * past an int (Math.toIntExact's "integer overflow"); a dataset's data jhdf cannot map, an integer type it cannot
     * read (the last two named the dataset since session 30).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "m.h5 | 2723=227 20=191 3219=64 | its HDF5 superblock or root group could not be read (ArithmeticException: Could not convert to unsigned value",
        "m.h5 | 3499=75 549=129 41=38 | its HDF5 superblock or root group could not be read (HdfChecksumMismatchException: Checksum mismatch",
        "m.h5 | 9=243 2841=186 1672=230 3324=213 | its HDF5 superblock or root group could not be read (IllegalArgumentException: Couldn't read 243 bytes",
        "simple_lstm_model.h5 | 902=1 77661=149 89755=212 3779=62 | attribute 'keras_version' of / could not be read (IllegalArgumentException: Global heap doesn't contain object with index: 65537): damaged",
        "simple_lstm_model.h5 | 2148=2 | attribute 'model_config' of / could not be read (HdfException: Error reading global heap at address 2144): damaged",
        "simple_lstm_model.h5 | 59012=15 61513=121 | dataset /optimizer_weights/Variable_3:0 has dimensions [64424509490, 1]: too large",
        "simple_lstm_model.h5 | 54783=128 34170=217 | dataset /model_weights/dense_1/dense_1/bias:0 is damaged: HdfException: Failed to map data buffer",
        "simple_lstm_model.h5 | 73639=32 59058=36 41868=54 44848=27 | dataset /optimizer_weights/Variable_3:0 is damaged: HdfTypeException: Unsupported signed fixed point",
    })
    void theMutationsThatFoundABareFailureAreRefusedInJrnnsWords(String source, String mutation, String says) throws IOException {
        Path src = SOURCES.stream().filter(p -> p.getFileName().toString().equals(source)).findFirst().orElseThrow();
        byte[] b = Files.readAllBytes(src);
        for (String m : mutation.trim().split(" ")) {
            String[] at = m.split("=");
            b[Integer.parseInt(at[0])] = (byte) Integer.parseInt(at[1]);
        }
        Path f = dir.resolve("case_" + source);
        Files.write(f, b);
        Throwable e = load(f);
        assertNotNull(e, "the damaged " + source + " loaded");
        assertNull(bare(f, e), String.valueOf(e));
        assertEquals(f + ": " + says, e.getMessage().substring(0, Math.min(e.getMessage().length(), f.toString().length() + 2 + says.length())));
    }

    /** The check itself: a library's exception, or its words passed on, is flagged; jrnn's refusal is not. */
    @Test
    void theCheckFlagsALibrarysExceptionOrItsWords() {
        Path f = dir.resolve("x.h5");
        assertNotNull(bare(f, new IllegalStateException("boom")));
        assertNotNull(bare(f, new IOException("elsewhere.h5: damaged")));
        assertNotNull(bare(f, new IOException(f + ": not a readable Keras file (java.lang.ArithmeticException: integer overflow)")));
        IllegalArgumentException jhdfs = new IllegalArgumentException("Couldn't read 243 bytes as int");
        jhdfs.setStackTrace(new StackTraceElement[] {new StackTraceElement("io.jhdf.Utils", "readBytesAsUnsignedLong", "Utils.java", 208)});
        assertNotNull(bare(f, new IOException(f + ": Couldn't read 243 bytes as int", jhdfs)));
        assertNull(bare(f, new IOException(f + ": dataset /a is damaged", new KerasFormatException("dataset /a is damaged"))));
    }

    /** The load's failure, or null when it loaded. */
    private static Throwable load(Path f) {
        try (Model ignored = Models.load(f)) {
            return null;
        } catch (IOException | RuntimeException | Error e) {
            return e;
        }
    }

    /**
     * Why {@code e}, a failed load of {@code f}, is not in jrnn's words (null when it is): not an IOException, one not
     * naming the file first, one wrapping an exception jrnn did not expect ("not a readable Keras file (...)"), or one
     * passing on the message of an exception a library threw (its cause neither a KerasFormatException nor thrown by
     * jrnn's code).
     */
    static String bare(Path f, Throwable e) {
        if (!(e instanceof IOException)) return "not an IOException";
        String msg = e.getMessage();
        if (msg == null || !msg.startsWith(f + ": ")) return "does not name the file first";
        if (msg.contains("not a readable Keras file (")) return "an unexpected exception, wrapped";
        Throwable c = e.getCause();
        if (c == null || c instanceof KerasFormatException || c instanceof IOException) return null;
        StackTraceElement[] at = c.getStackTrace();
        return at.length > 0 && at[0].getClassName().startsWith("dev.jrnn.") ? null : "a library's message passed on (" + c + ")";
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
