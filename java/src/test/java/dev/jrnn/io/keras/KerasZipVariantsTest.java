package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * .keras files Keras 3.15.1 loads that jrnn refused (keras3_real/keras_reads_encodings.py makes the same edits of
 * cfgkeys.keras and prints Keras' loads): config.json or metadata.json with a byte-order mark or in UTF-16 / UTF-32
 * (Python's json.loads of bytes detects them; jrnn said "unexpected character '<U+FEFF>'" or '�'), NaN and Infinity
 * literals (json.dumps writes them for a float nan; jrnn: "unexpected character 'N'"), and a zip with bytes before it
 * (a self-extracting one, which Python's zipfile reads; jrnn: "neither an HDF5 file nor a zip"). Each now predicts
 * Keras' cfgkeys_y.npy.
 */
class KerasZipVariantsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bom", "utf16", "utf16le_no_bom", "utf16be_no_bom", "utf32", "metadata_bom", "nan_top_level"})
    void loadsAsKerasDoes(String edit) throws IOException {
        Path f = edited(edit);
        assertPredictsAsKeras(f, edit);
    }

    /** A NaN where a rate goes: Keras clamps it to 0 (min(1, max(0, nan))), jrnn refuses it by name, as a rate of 1.5. */
    @Test
    void aNanRateIsRefusedByName() throws IOException {
        Path f = edited("nan_dropout");
        IOException e = assertThrows(IOException.class, () -> Models.load(f));
        assertEquals(f + ": layer 'l' (LSTM): l: dropout must be in [0, 1), got NaN", e.getMessage());
    }

    /**
     * A config.json with a byte that is not of the encoding its first bytes say: Keras refuses it (UnicodeDecodeError in
     * 'utf-16-le' at 6192, 'utf-32-le' at 8144), so does jrnn, naming that encoding and the offset (decoded leniently, the
     * byte became U+FFFD).
     */
    @Test
    void aByteNotOfTheDetectedEncodingIsRefused() throws IOException {
        Path f = edited("utf16le_truncated");
        IOException e = assertThrows(IOException.class, () -> Models.load(f));
        assertTrue(e.getMessage().startsWith(f + ": zip member config.json is not UTF-16-LE: byte 0x20 at offset 6192, after \""), e.getMessage());
        Path g = edited("utf32le_bad");
        e = assertThrows(IOException.class, () -> Models.load(g));
        assertTrue(e.getMessage().startsWith(g + ": zip member config.json is not UTF-32-LE: byte 0x00 at offset 8144, after \""), e.getMessage());
        assertTrue(e.getMessage().endsWith("\"name\": \"\" (Keras 3 refuses it too: UnicodeDecodeError)"), e.getMessage());
    }

    /**
     * Keras' model.to_json() writes NaN / Infinity literals (json.dumps) and model_from_json reads them: Keras 3.15.1's
     * model_from_json of cfgkeys.keras' config with the nan_top_level edit builds layers [i, l, d] (the NaN dropout
     * one too, clamping the rate to 0). fromJson read them as "not JSON"; it now builds the first, and refuses the NaN
     * dropout by its own check, as Models.load does.
     */
    @Test
    void fromJsonReadsPythonsNanLiterals() throws IOException {
        try (Model m = Models.fromJson(configOf(edited("nan_top_level")))) {
            assertEquals(List.of("i", "l", "d"), m.layers().stream().map(dev.jrnn.layers.Layer::name).toList());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(configOf(edited("nan_dropout"))));
        assertEquals("fromJson: layer 'l' (LSTM): l: dropout must be in [0, 1), got NaN", e.getMessage());
    }

    private static String configOf(Path keras) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(keras.toFile())) {
            return new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The bytes `cat stub.sh model.keras` puts first: Python's zipfile (so Keras) reads the members past them. */
    @Test
    void aZipWithBytesBeforeItLoads() throws IOException {
        Path f = tmp.resolve("prefix.keras");
        byte[] stub = "#!/bin/sh\nexit 0\n".getBytes(StandardCharsets.US_ASCII), zip = Files.readAllBytes(keras3Real("cfgkeys.keras"));
        byte[] all = new byte[stub.length + zip.length];
        System.arraycopy(stub, 0, all, 0, stub.length);
        System.arraycopy(zip, 0, all, stub.length, zip.length);
        Files.write(f, all);
        assertTrue(KerasImport.isKerasFile(f));
        assertPredictsAsKeras(f, "prefix");
        // a file that is neither, nor ends as a zip, keeps its refusal
        Path other = tmp.resolve("other.keras");
        Files.write(other, stub);
        IOException e = assertThrows(IOException.class, () -> Models.load(other));
        assertEquals(other + ": neither an HDF5 file nor a zip (first bytes 23212f62696e2f73): not a Keras model file", e.getMessage());
    }

    /**
     * As {@link #aZipWithBytesBeforeItLoads}, with the members STORED as Keras writes them (cfgkeys.keras is deflated):
     * model.weights.h5 is then mapped from the file, at its offset past the prefix. Keras 3.15.1 loads the same
     * file (keras_reads_encodings.py, "prefix_stored").
     */
    @Test
    void aStoredZipWithBytesBeforeItLoads() throws IOException {
        Path plain = tmp.resolve("stored.keras");
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(keras3Real("cfgkeys.keras").toFile());
             java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(plain))) {
            for (var e : java.util.Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                java.util.zip.ZipEntry o = new java.util.zip.ZipEntry(e.getName());
                o.setMethod(java.util.zip.ZipEntry.STORED);
                o.setSize(b.length);
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(b);
                o.setCrc(crc.getValue());
                z.putNextEntry(o);
                z.write(b);
                z.closeEntry();
            }
        }
        byte[] stub = new byte[70_000];   // past one 64 KiB read, and an odd length
        java.util.Arrays.fill(stub, (byte) '#');
        byte[] zip = Files.readAllBytes(plain), all = concat(stub, zip);
        Path f = tmp.resolve("stored_prefix.keras");
        Files.write(f, all);
        assertTrue(KerasImport.isKerasFile(f));
        assertPredictsAsKeras(f, "stored prefix");
    }

    private static void assertPredictsAsKeras(Path f, String what) throws IOException {
        try (Model m = Models.load(f)) {
            KerasFixtures.assertClose(Npy.read(keras3Real("cfgkeys_y.npy")).data(), m.predict(Npy.read(keras3Real("cfgkeys_x.npy"))).data(), what);
        }
    }

    /** cfgkeys.keras with the edit keras_reads_encodings.py names {@code edit}, every other member as it was. */
    private Path edited(String edit) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(keras3Real("cfgkeys.keras").toFile())) {
            for (var e : java.util.Collections.list(in.entries())) members.put(e.getName(), in.getInputStream(e).readAllBytes());
        }
        String cfg = new String(members.get("config.json"), StandardCharsets.UTF_8);
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
        switch (edit) {
            case "bom" -> members.put("config.json", concat(bom, members.get("config.json")));
            case "utf16" -> members.put("config.json", concat(new byte[] {(byte) 0xff, (byte) 0xfe}, cfg.getBytes(StandardCharsets.UTF_16LE)));   // Python's "utf-16"
            case "utf16le_no_bom" -> members.put("config.json", cfg.getBytes(StandardCharsets.UTF_16LE));
            case "utf16be_no_bom" -> members.put("config.json", cfg.getBytes(StandardCharsets.UTF_16BE));
            case "utf32" -> members.put("config.json", concat(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0}, cfg.getBytes(Charset.forName("UTF-32LE"))));
            case "metadata_bom" -> members.put("metadata.json", concat(bom, members.get("metadata.json")));
            case "nan_top_level" -> members.put("config.json", (cfg.substring(0, cfg.lastIndexOf('}'))
                    + ", \"a\": NaN, \"b\": Infinity, \"c\": -Infinity}").getBytes(StandardCharsets.UTF_8));
            case "nan_dropout" -> {
                String changed = cfg.replaceFirst("\"dropout\": 0\\.0", "\"dropout\": NaN");
                assertTrue(!changed.equals(cfg), "cfgkeys.keras' LSTM has a dropout of 0.0");
                members.put("config.json", changed.getBytes(StandardCharsets.UTF_8));
            }
            case "utf16le_truncated" -> members.put("config.json", concat(cfg.getBytes(StandardCharsets.UTF_16LE), new byte[] {' '}));
            case "utf32le_bad" -> {   // the Dense's name "d" made the code point 0x110000, past Unicode
                String t = cfg.replaceFirst("\"d\"", "\"\u0000\"");
                byte[] b = t.getBytes(Charset.forName("UTF-32LE"));
                int at = 4 * t.indexOf("\"\u0000\"") + 4;
                b[at + 2] = 0x11;
                members.put("config.json", b);
            }
            default -> { }
        }
        Path out = tmp.resolve(edit + ".keras");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(out))) {
            for (var e : members.entrySet()) {
                z.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
