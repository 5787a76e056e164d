package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.edges.RefusalCases.Action;
import dev.jrnn.edges.RefusalCases.Case;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input at {@code Models.loadTorchWeights}: a state_dict that does not fit the model is an IllegalArgumentException
 * naming the torch key, the shape expected and the one found (or the layer and module); a bad or hostile file an
 * IOException naming the file and the problem (a pickle global outside a state_dict's is refused by name, never
 * called). Either leaves the model's weights as they were. The files are the torch 1.13 ones of TorchWeightsTest, some
 * with one thing changed.
 */
class TorchWeightsBadInputTest {
    private static final List<Case> CASES = new ArrayList<>();

    @TempDir
    static Path tmp;

    private static void bad(String name, Action action, String... words) {
        CASES.add(new Case(name, action, List.of(words)));
    }

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    static Path file(String name) {
        try {
            return Path.of(TorchWeightsBadInputTest.class.getResource("/dev/jrnn/io/torch/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException(name, e);
        }
    }

    private static Model gru(int units) {
        return new Sequential(new GRU(units).name("gru").inputShape(4, 3), new Dense(1).name("fc"));
    }

    private static Model bilstm(String first) {
        Input x = Input.shape(5, 3);
        Node h = new Bidirectional(new LSTM(4).returnSequences(true)).name(first).apply(x);
        h = new Bidirectional(new LSTM(4).returnSequences(true)).name("bi1").apply(h);
        return new Model(x, new Dense(2).name("fc").apply(h));
    }

    private static void load(Model m, String file, Map<String, String> mapping) throws IOException {
        try (m) {
            Models.loadTorchWeights(m, file(file), mapping);
        }
    }

    static List<Case> cases() {
        if (CASES.isEmpty()) {
            bad("shape mismatch", () -> load(gru(6), "gru.pt", Map.of()), "torch key 'gru.weight_ih_l0'", "expected shape (18, 3)",
                    "got (15, 3)", "'fc.weight' expected shape (1, 6) for jrnn layer 'fc', got (1, 5)");
            bad("missing key", () -> load(new Sequential(new LSTM(3).name("lstm").inputShape(4, 4)), "emb_lstm.pt", Map.of("lstm", "lstm")),
                    "missing torch key 'lstm.bias_ih_l0'", "expected shape (12,)", "[emb.weight] go to no jrnn layer");
            bad("proj_size", () -> load(new Sequential(new LSTM(3).name("lstm").inputShape(4, 2)), "lstm_proj.pt", Map.of()),
                    "proj_size", "lstm.weight_hr_l0 (2, 3)");
            bad("unused keys", () -> load(new Sequential(new GRU(5).name("gru").inputShape(4, 3)), "gru.pt", Map.of()),
                    "torch keys [fc.weight, fc.bias] go to no jrnn layer", "strict=false");
            bad("layer without module", () -> load(new Sequential(new GRU(5).name("gru").inputShape(4, 3), new Dense(1).name("head")),
                    "gru.pt", Map.of()), "jrnn layers [head (Dense)] find no torch module", "[gru, fc]");
            // a torch module name with '/' (ModuleDict({'enc/lstm': ...})): the usual messages, not "a Keras / jrnn weights file"
            bad("module names with '/', unmapped", () -> load(new Sequential(new LSTM(4).name("lstm").inputShape(5, 3), new Dense(2).name("fc")),
                    "slash_module.pt", Map.of()), "no jrnn layer [lstm, fc] finds a torch module", "[enc/lstm, enc/fc]");
            bad("module names with '/', mapped amiss", () -> load(new Sequential(new LSTM(4).name("lstm").inputShape(5, 3), new Dense(2).name("fc")),
                    "slash_module.pt", Map.of("lstm", "enc/gru")), "torch module 'enc/gru', which the state_dict does not hold",
                    "[enc/lstm, enc/fc]");
            bad("mapping names no layer", () -> load(gru(5), "gru.pt", Map.of("nope", "fc")), "mapping names jrnn layer 'nope'", "[gru, fc]");
            bad("mapping to no module", () -> load(gru(5), "gru.pt", Map.of("fc", "decoder")), "torch module 'decoder'",
                    "does not hold", "[gru, fc]");
            // it listed the state_dict's modules [lstm, fc], not that 'lstm' has two layers (outside tester, pytorch 4a)
            bad("mapping past a module's layers", () -> load(bilstm("bi0"), "bilstm.pt", Map.of("bi0", "lstm.l5", "bi1", "lstm.l1")),
                    "torch module 'lstm.l5', which the state_dict does not hold ('lstm' has 2 layers (num_layers=2): [lstm.l0, lstm.l1])");
            bad("several torch layers to one", () -> load(bilstm("bi0"), "bilstm.pt", Map.of("bi0", "lstm")), "2 layers",
                    "[lstm.l0, lstm.l1]");
            bad("bidirectional torch module", () -> load(new Sequential(new LSTM(4).returnSequences(true).name("l").inputShape(5, 3)),
                    "bilstm.pt", Map.of("l", "lstm.l0")), "bidirectional", "weight_ih_l0_reverse", "new Bidirectional(new LSTM");
            bad("bidirectional jrnn layer", () -> load(new Sequential(new Bidirectional(new GRU(5)).name("gru").inputShape(4, 3),
                    new Dense(1).name("fc")), "gru.pt", Map.of()), "not bidirectional", "gru.weight_ih_l0_reverse");
            bad("gru reset before", () -> load(new Sequential(new GRU(5).resetAfter(false).name("gru").inputShape(4, 3),
                    new Dense(1).name("fc")), "gru.pt", Map.of()), "reset_after=True", "resetAfter(true)");
            bad("layer index on dense", () -> load(bilstm("bi0"), "bilstm.pt", Map.of("bi0", "lstm.l0", "bi1", "lstm.l1", "fc", "lstm.l0")),
                    "jrnn layer 'fc' (Dense)", "nn.LSTM, nn.GRU or nn.RNN");
            bad("one module to two layers", () -> load(bilstm("bi0"), "bilstm.pt", Map.of("bi0", "lstm.l0", "bi1", "lstm.l0")),
                    "'lstm.weight_ih_l0' would go to both jrnn layers");
            bad("unsupported layer kind", () -> {
                Input q = Input.shape(2, 3);
                load(new Model(q, new dev.jrnn.layers.AdditiveAttention().useScale(true).name("att").apply(q, q)), "gru.pt",
                        Map.of("att", "gru"));
            }, "jrnn layer 'att' (AdditiveAttention)", "not AdditiveAttention");
            bad("not strict, mapped module incomplete", () -> {
                try (Model m = new Sequential(new LSTM(3).name("lstm").inputShape(4, 4))) {
                    Models.loadTorchWeights(m, file("emb_lstm.pt"), Map.of(), false);
                }
            }, "missing torch key 'lstm.bias_ih_l0'");
            bad("module of another kind", () -> {   // a Dense sent to the GRU: none of its keys, not "loads the rest of it"
                try (Model m = new Sequential(new Dense(5).name("d").inputShape(3))) {
                    Models.loadTorchWeights(m, file("gru.pt"), Map.of("d", "gru"), false);
                }
            }, "missing torch key 'gru.weight'", "which reads none of the module's keys (it is not the module kind the layer takes)");
            bad("null mapping", () -> load(gru(5), "gru.pt", null), "mapping is null");
            bad("null mapping value", () -> {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("gru", null);
                load(gru(5), "gru.pt", m);
            }, "mapping entry gru -> null");
            bad("null file", () -> Models.loadTorchWeights(gru(5), null), "file is null");
            bad("null model", () -> Models.loadTorchWeights(null, file("gru.pt")), "model is null");
            bad("non-finite weights", () -> {
                Path f = tmp.resolve("nan.safetensors");
                Map<String, Tensor> sd = new LinkedHashMap<>();
                sd.put("fc.weight", Tensor.wrap(new float[] {1, Float.NaN}, 1, 2));
                sd.put("fc.bias", Tensor.zeros(1));
                SafeTensors.write(f, sd, Map.of());
                try (Model m = new Sequential(new Dense(1).name("fc").inputShape(2))) {
                    Models.loadTorchWeights(m, f);
                }
            }, "torch keys [fc.weight] hold NaN or Inf");
        }
        return CASES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessage(Case c) {
        RefusalCases.assertRefused(c);
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinct(cases().stream().map(Case::name).toList());
    }

    /**
     * A Sequential without an input shape has no weights yet: refused, strict or not (its getWeights() became [] as
     * Keras', and a non-strict load then loaded nothing and said nothing; review of that change).
     */
    @Test
    void anUnbuiltModelIsRefusedStrictOrNot() {
        for (boolean strict : new boolean[] {true, false}) {
            try (Model m = new Sequential(new GRU(5).name("gru"), new Dense(1).name("fc"))) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> Models.loadTorchWeights(m, file("gru.pt"), Map.of(), strict));
                assertTrue(e.getMessage().contains("the model is not built, so its layers have no weights to load into"), e.getMessage());
            }
        }
    }

    @Test
    void aRefusedLoadLeavesTheWeights() throws IOException {
        try (Model m = gru(5)) {
            List<Tensor> before = m.getWeights();
            // fc fits, gru's kernel does not: nothing is set, fc included
            Map<String, Tensor> sd = new LinkedHashMap<>();
            sd.put("gru.weight_ih_l0", Tensor.full(0.5f, 15, 3));
            sd.put("gru.weight_hh_l0", Tensor.full(0.5f, 15, 5));
            sd.put("gru.bias_ih_l0", Tensor.full(0.5f, 15));
            sd.put("gru.bias_hh_l0", Tensor.full(Float.POSITIVE_INFINITY, 15));
            sd.put("fc.weight", Tensor.full(0.5f, 1, 5));
            sd.put("fc.bias", Tensor.full(0.5f, 1));
            Path f = tmp.resolve("inf.safetensors");
            SafeTensors.write(f, sd, Map.of());
            assertThrows(IllegalArgumentException.class, () -> Models.loadTorchWeights(m, f));
            assertThrows(IOException.class, () -> Models.loadTorchWeights(m, hostile("os.system")));
            List<Tensor> after = m.getWeights();
            for (int i = 0; i < before.size(); i++) assertEquals(before.get(i), after.get(i), "weight " + i);
        }
    }

    // ------------------------------------------------------------------ bad and hostile files

    /** gru.pt with its zip records changed by {@code edit} (name -> bytes; null drops a record). */
    private static Path edited(String name, UnaryOperator<Map<String, byte[]>> edit) throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(file("gru.pt").toFile())) {
            for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                records.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        records = edit.apply(records);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : records.entrySet()) {
                if (e.getValue() == null) continue;
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        Path f = tmp.resolve(name);
        Files.write(f, bytes.toByteArray());
        return f;
    }

    /** gru.pt's data.pkl with {@code from} replaced by {@code to} (as Latin-1 text: byte for byte). */
    private static Path pickleEdited(String name, String from, String to) throws IOException {
        return edited(name, r -> {
            String p = new String(r.get("gru/data.pkl"), StandardCharsets.ISO_8859_1);
            assertTrue(p.contains(from), from);
            r.put("gru/data.pkl", p.replace(from, to).getBytes(StandardCharsets.ISO_8859_1));
            return r;
        });
    }

    /** gru.pt calling {@code global} (module.name) where torch.save's tensor rebuild is: what a malicious pickle does. */
    private static Path hostile(String global) throws IOException {
        int dot = global.lastIndexOf('.');
        return pickleEdited("hostile.pt", "ctorch._utils\n_rebuild_tensor_v2\n",
                "c" + global.substring(0, dot) + "\n" + global.substring(dot + 1) + "\n");
    }

    private static void fileRefused(Path f, String... words) {
        IOException e = assertThrows(IOException.class, () -> {
            try (Model m = gru(5)) {
                Models.loadTorchWeights(m, f);
            }
        }, f.toString());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        for (String w : words) assertTrue(e.getMessage().contains(w), "'" + w + "' not in: " + e.getMessage());
    }

    @Test
    void hostilePickleGlobalsAreRefusedByName() throws IOException {
        fileRefused(hostile("os.system"), "refused pickle global os.system");
        fileRefused(hostile("builtins.eval"), "refused pickle global builtins.eval");
        fileRefused(hostile("torch.nn.modules.rnn.GRU"), "refused pickle global torch.nn.modules.rnn.GRU", "save model.state_dict()");
        fileRefused(pickleEdited("odict.pt", "ccollections\nOrderedDict\n", "c__builtin__\ngetattr\n"), "__builtin__.getattr");
        fileRefused(hostile("torch.storage._load_from_bytes"), "torch.storage._load_from_bytes", "pickle.dump");
    }

    @Test
    void corruptAndForeignFilesAreRefused() throws IOException {
        fileRefused(edited("truncated.pt", r -> {
            byte[] p = r.get("gru/data.pkl");
            r.put("gru/data.pkl", java.util.Arrays.copyOf(p, p.length / 2));
            return r;
        }), "truncated");
        fileRefused(pickleEdited("opcode.pt", "\u0080\u0002", "\u0080\u0002\u0096"), "opcode 0x96");
        fileRefused(edited("nostorage.pt", r -> {
            r.put("gru/data/0", null);
            return r;
        }), "needs storage record gru/data/0", "lacks");
        fileRefused(edited("short.pt", r -> {
            r.put("gru/data/0", new byte[8]);
            return r;
        }), "tensor 'gru.weight_ih_l0'", "reaches element 44 of storage '0', which holds 2");
        // weight_ih_l0's size (15, 3) made (2^31 - 1) three times, its numel past 2^63: refused before any storage is read
        String big = "J\u00ff\u00ff\u00ff\u007f";
        fileRefused(pickleEdited("huge.pt", "QK\u0000K\u000fK\u0003\u0086q\tK\u0003K\u0001\u0086",
                        "QK\u0000" + big + big + big + "\u0087q\tK\u0001K\u0001K\u0001\u0087"),
                "tensor 'gru.weight_ih_l0' has", "elements, more than 2^31 - 9");
        fileRefused(edited("nodata.pt", r -> {
            r.put("gru/data.pkl", null);
            return r;
        }), "without data.pkl");
        fileRefused(edited("script.pt", r -> {
            r.put("gru/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            return r;
        }), "TorchScript", "state_dict()");
        fileRefused(edited("bigendian.pt", r -> {
            r.put("gru/byteorder", "middle".getBytes(StandardCharsets.US_ASCII));
            return r;
        }), "byteorder record says 'middle'");
        Path legacy = tmp.resolve("legacy.pt");   // torch.save(..., _use_new_zipfile_serialization=False) starts with its magic number
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19});
        fileRefused(legacy, "bare pickle", "torch 1.6 or later");
        Path text = tmp.resolve("notes.pt");
        Files.writeString(text, "not a state dict at all");
        // a text or empty file named .pt: it is neither kind (it got a safetensors parse error; outside tester torch6)
        fileRefused(text, "neither a torch.save zip checkpoint", "nor a safetensors file", "23 bytes starting \"not a st\"");
        Path empty = tmp.resolve("empty.pt");
        Files.write(empty, new byte[0]);
        fileRefused(empty, "neither a torch.save zip checkpoint", "nor a safetensors file", "it is empty");
        // a training checkpoint dict: the nested state_dict named (it said "state_dict entry 'epoch' is the integer 3")
        fileRefused(file("gru_checkpoint.pt"), "a checkpoint dict with keys [epoch, model_state_dict, optimizer_state_dict]",
                "its entry 'model_state_dict' holds a state_dict of 6 tensors", "torch.save(checkpoint['model_state_dict'], path)");
    }

    /**
     * A jrnn saveWeights safetensors file (keys 'bi0/forward_lstm/kernel') given to loadTorchWeights suggested mapping the
     * layers to the root "" (outside tester, pytorch 4b); it is named as a Keras / jrnn weights file for loadWeights, the
     * model unchanged.
     */
    @Test
    void aJrnnWeightsFileIsNamedAsOne() throws IOException {
        Path f = tmp.resolve("jrnn_weights.safetensors");
        try (Model saved = bilstm("bi0")) {
            saved.saveWeights(f);
        }
        try (Model m = bilstm("bi0")) {
            List<Tensor> before = m.getWeights();
            // under a mapping (the modules it names are not there) and without one (no layer finds its module)
            for (Map<String, String> mapping : List.of(Map.of("bi0", "lstm.l0", "bi1", "lstm.l1"), Map.<String, String>of())) {
                IOException e = assertThrows(IOException.class, () -> Models.loadTorchWeights(m, f, mapping));
                for (String w : List.of(f.toString(), "a Keras / jrnn weights file (keys such as 'bi0/forward_lstm",
                        "not a torch state_dict; load it with model.loadWeights(path)")) {
                    assertTrue(e.getMessage().contains(w), "'" + w + "' not in: " + e.getMessage());
                }
                assertEquals(before, m.getWeights());
            }
            m.loadWeights(f);   // the way out it names
        }
    }

    /**
     * A bare module's state_dict (nn.BatchNorm1d(2).state_dict(): every key at the root) listed its one module, the root
     * "", as "modules []"; it now reads as the root with the mapping that reaches it (outside tester torch10).
     */
    @Test
    void theRootModuleIsNamedInMessages() throws IOException {
        Path f = tmp.resolve("bare_bn.safetensors");
        Map<String, Tensor> sd = new LinkedHashMap<>();
        for (String k : List.of("weight", "bias", "running_mean", "running_var")) sd.put(k, Tensor.full(1f, 2));
        SafeTensors.write(f, sd, Map.of());
        Input x = Input.shape(3, 2);
        try (Model m = new Model(x, new dev.jrnn.layers.BatchNormalization().epsilon(1e-5).name("bn").apply(x))) {
            List<Tensor> before = m.getWeights();
            var e = assertThrows(IllegalArgumentException.class, () -> Models.loadTorchWeights(m, f));
            assertTrue(e.getMessage().contains("the state_dict's modules [\"\" (the root: keys without a prefix, mapped as "
                    + "Map.of(\"<layer>\", \"\"))]"), e.getMessage());
            assertEquals(before, m.getWeights());
            Models.loadTorchWeights(m, f, Map.of("bn", ""));   // the way out it names
            assertEquals(Tensor.full(1f, 2), m.getWeights().get(0));
            Path none = tmp.resolve("no_tensors.safetensors");   // and a state_dict without tensors says so
            SafeTensors.write(none, Map.of(), Map.of());
            var empty = assertThrows(IllegalArgumentException.class, () -> Models.loadTorchWeights(m, none));
            assertTrue(empty.getMessage().contains("modules [] (the state_dict holds no tensors)"), empty.getMessage());
        }
    }
}
