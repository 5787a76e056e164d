package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzed weights files: a valid file of model B, mutated at random in its length field and header
 * (byte flips, random bytes, truncation, insertion, deletion, a lying length), loaded into model A.
 * Each load either fails with an IOException (corrupt file) or an IllegalArgumentException (does not
 * fit the model), leaving A unchanged, or it succeeds (a mutation in padding or metadata) and A then
 * holds exactly B's weights. Never another exception, never a partial or garbled load.
 */
class FuzzedWeightsTest {
    private static final int ROUNDS = 600;

    @Test
    void mutatedHeadersAreRejectedOrLoadExactly(@TempDir Path dir) throws IOException {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(11);
        Sequential a = new Sequential(new LSTM(4).inputShape(3, 2), new Dense(1));
        Jrnn.clearSession();
        Sequential b = new Sequential(new LSTM(4).inputShape(3, 2), new Dense(1));
        Path src = dir.resolve("b.safetensors");
        b.saveWeights(src);
        byte[] good = Files.readAllBytes(src);
        long headerLen = ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int headerEnd = (int) (8 + headerLen);
        List<Tensor> wa = a.getWeights(), wb = b.getWeights();
        assertFalse(Arrays.equals(Fixture.bits(wa.get(0)), Fixture.bits(wb.get(0))), "the two models must differ");

        SplittableRandom rng = new SplittableRandom(2024);
        Path f = dir.resolve("fuzz.safetensors");
        int rejectedIo = 0, rejectedArg = 0, loaded = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] m = mutate(good, headerEnd, rng);
            Files.write(f, m);
            try {
                a.loadWeights(f);
                loaded++;
                assertSame(wb, a.getWeights(), round, m);
                a.setWeights(wa);   // back to A for the next round
            } catch (IOException e) {
                rejectedIo++;
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "round " + round + ": empty message");
                assertSame(wa, a.getWeights(), round, m);
            } catch (IllegalArgumentException e) {
                rejectedArg++;
                assertTrue(e.getMessage().contains("loadWeights"), "round " + round + ": " + e.getMessage());
                assertSame(wa, a.getWeights(), round, m);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("round " + round + ": " + e + " for header "
                        + new String(m, 8, Math.max(0, Math.min(m.length - 8, headerEnd - 8)), java.nio.charset.StandardCharsets.ISO_8859_1), e);
            }
            assertArrayEquals(m, Files.readAllBytes(f), "round " + round + ": the file was changed by reading it");
        }
        // the mix must actually exercise rejection (a fuzzer that only hits padding proves nothing)
        assertTrue(rejectedIo > ROUNDS / 2, "io " + rejectedIo + " arg " + rejectedArg + " loaded " + loaded);
        assertTrue(SafeTensors.shapes(src).size() == 5);
    }

    private static void assertSame(List<Tensor> want, List<Tensor> got, int round, byte[] file) {
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(Fixture.bits(want.get(i)), Fixture.bits(got.get(i)), "round " + round + ": weight " + i + " differs");
        }
    }

    /** One random corruption of the length field or header (the data bytes stay valid floats). */
    static byte[] mutate(byte[] good, int headerEnd, SplittableRandom rng) {
        byte[] m = good.clone();
        switch (rng.nextInt(8)) {
            case 0, 1 -> {   // flip bits of 1..4 header bytes
                for (int k = 1 + rng.nextInt(4); k > 0; k--) m[8 + rng.nextInt(headerEnd - 8)] ^= (byte) (1 << rng.nextInt(8));
            }
            case 2 -> {      // a random byte in the header
                m[8 + rng.nextInt(headerEnd - 8)] = (byte) rng.nextInt(256);
            }
            case 3 -> {      // a structural character in the header
                m[8 + rng.nextInt(headerEnd - 8)] = (byte) "{}[]\",:0123456789-.eE \\".charAt(rng.nextInt(23));
            }
            case 4 -> m = Arrays.copyOf(m, rng.nextInt(m.length));   // truncated anywhere
            case 5 -> {      // one byte inserted in the header
                int at = 8 + rng.nextInt(headerEnd - 8);
                byte[] r = new byte[m.length + 1];
                System.arraycopy(m, 0, r, 0, at);
                r[at] = (byte) rng.nextInt(256);
                System.arraycopy(m, at, r, at + 1, m.length - at);
                m = r;
            }
            case 6 -> {      // one header byte deleted
                int at = 8 + rng.nextInt(headerEnd - 8);
                byte[] r = new byte[m.length - 1];
                System.arraycopy(m, 0, r, 0, at);
                System.arraycopy(m, at + 1, r, at, m.length - at - 1);
                m = r;
            }
            default -> {     // a lying length field
                long[] lies = {0, 1, 7, headerEnd - 9, headerEnd - 7, headerEnd, m.length, Long.MAX_VALUE, -8, rng.nextLong()};
                ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(0, lies[rng.nextInt(lies.length)]);
            }
        }
        return m;
    }
}
