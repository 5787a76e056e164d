package dev.jrnn.io.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted unpickler for the {@code data.pkl} of a {@code torch.save(model.state_dict(), ...)} file: the protocol-2
 * opcodes torch.save writes and only the globals a state_dict needs ({@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2} and {@code _rebuild_parameter}, the {@code torch.*Storage} types and dtype
 * objects). A pickle can run code (its globals are callables): any other global is refused by name before anything is
 * called, and nothing is ever looked up by reflection. The result is the ordered keys and where each tensor lies.
 */
final class TorchPickle {
    /** A storage as torch.save's persistent id names it: {@code ('storage', torch.FloatStorage, '0', 'cpu', numel)}. */
    record StorageRef(String key, TorchDType dtype, String location) {}

    /** A tensor as {@code _rebuild_tensor_v2(storage, offset, size, stride, ...)} describes it (in elements). */
    record TensorRef(StorageRef storage, long offset, int[] shape, long[] stride) {}

    /** An allowed global; {@code dtype} set for the storage types. */
    private record Global(String module, String name, TorchDType dtype) {
        String qualified() { return module + "." + name; }
    }

    private record Tuple(List<Object> items) {}

    private static final Object NONE = new Object() {
        @Override
        public String toString() { return "None"; }
    };

    private static final Object MARK = new Object();

    private static final Set<String> DTYPE_OBJECTS = Set.of("float32", "float64", "float16", "bfloat16", "int64", "int32",
            "int16", "int8", "uint8", "bool", "float", "double", "half", "long", "int");

    /** Largest data.pkl read: a state_dict's pickle holds names and shapes, a few hundred bytes per tensor (50k tensors in 16 MiB). */
    static final int MAX_PICKLE = 16 << 20;
    /**
     * Most values pushed and memo entries kept (a tensor takes a few dozen): a small deflated pickle of one-byte opcodes
     * could otherwise allocate gigabytes of dicts or memo nodes.
     */
    static final int MAX_OBJECTS = 2 << 20;

    private final byte[] b;
    private final String where;
    private int pos;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int objects;

    private TorchPickle(byte[] bytes, String where) {
        this.b = bytes;
        this.where = where;
    }

    /** The state_dict in {@code pickle}: its keys in order, each with its tensor. {@code where} names the file in messages. */
    static Map<String, TensorRef> read(byte[] pickle, String where) throws IOException {
        Object top = new TorchPickle(pickle, where).run();
        if (!(top instanceof Map<?, ?> m)) {
            throw new IOException(where + ": the pickle holds " + describe(top) + ", not a state_dict (an OrderedDict of tensors); "
                    + "save model.state_dict() with torch.save");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            // a training checkpoint ({'epoch': 3, 'model_state_dict': model.state_dict(), ...}): name the nested state_dict
            if (!(e.getValue() instanceof TensorRef) && e.getValue() instanceof Map<?, ?> inner && !inner.isEmpty()
                    && inner.values().stream().allMatch(v -> v instanceof TensorRef)) {
                throw new IOException(where + ": a checkpoint dict with keys " + m.keySet() + ", not a state_dict: its entry '" + e.getKey()
                        + "' holds a state_dict of " + inner.size() + " tensors; save that one (torch.save(checkpoint['" + e.getKey()
                        + "'], path)) and load the file it writes");
            }
        }
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k)) throw new IOException(where + ": a state_dict key is " + describe(e.getKey()) + ", not a string");
            if (!(e.getValue() instanceof TensorRef t)) {
                throw new IOException(where + ": state_dict entry '" + k + "' is " + describe(e.getValue()) + ", not a tensor");
            }
            out.put(k, t);
        }
        return out;
    }

    private IOException bad(String what) {
        return new IOException(where + ": pickle byte " + pos + ": " + what);
    }

    private Object run() throws IOException {
        while (true) {
            if (pos >= b.length) throw bad("the pickle ends without STOP (truncated)");
            int op = b[pos++] & 0xff;
            switch (op) {
                case 0x80 -> {   // PROTO
                    int v = u8();
                    if (v > 5) throw bad("pickle protocol " + v + " is not one torch.save writes (2 by default, up to 5 by pickle_protocol)");
                }
                case '}' -> push(new LinkedHashMap<Object, Object>());           // EMPTY_DICT
                case ']' -> push(new ArrayList<Object>());                       // EMPTY_LIST
                case ')' -> push(new Tuple(List.of()));                          // EMPTY_TUPLE
                case '(' -> push(MARK);
                case 'N' -> push(NONE);
                case 0x88 -> push(Boolean.TRUE);                                 // NEWTRUE
                case 0x89 -> push(Boolean.FALSE);                                // NEWFALSE
                case 'K' -> push((long) u8());                                   // BININT1
                case 'M' -> push((long) (u8() | u8() << 8));                     // BININT2
                case 'J' -> push((long) le(4).getInt());                         // BININT
                case 0x8a -> push(long1());                                      // LONG1
                case 'G' -> push(ByteBuffer.wrap(take(8)).getDouble());          // BINFLOAT, big-endian
                case 'X' -> push(utf8(le(4).getInt()));                          // BINUNICODE
                case 0x8c -> push(utf8(u8()));                                   // SHORT_BINUNICODE (protocol 4)
                case 'c' -> push(global(line(), line()));                        // GLOBAL
                case 0x93 -> {                                                   // STACK_GLOBAL (protocol 4)
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw bad("STACK_GLOBAL of " + describe(module) + " and " + describe(name) + ", not two strings");
                    }
                    push(global(m, n));
                }
                case 0x95 -> take(8);                                            // FRAME (protocol 4): its length only
                case 'q' -> memoize(u8(), peek());                               // BINPUT
                case 'r' -> memoize(le(4).getInt() & 0xffffffffL, peek());      // LONG_BINPUT
                case 0x94 -> memoize(memo.size(), peek());                       // MEMOIZE (protocol 4)
                case 'h' -> push(memoGet(u8()));                                 // BINGET
                case 'j' -> push(memoGet(le(4).getInt() & 0xffffffffL));        // LONG_BINGET
                case 't' -> push(new Tuple(popMark()));                          // TUPLE
                case 0x85 -> push(new Tuple(popN(1)));                           // TUPLE1
                case 0x86 -> push(new Tuple(popN(2)));                           // TUPLE2
                case 0x87 -> push(new Tuple(popN(3)));                           // TUPLE3
                case 'Q' -> push(persistent(pop()));                             // BINPERSID
                case 'R' -> {                                                    // REDUCE
                    Object args = pop();
                    push(reduce(pop(), args));
                }
                case 's' -> {                                                    // SETITEM
                    Object v = pop(), k = pop();
                    put(peek(), k, v);
                }
                case 'u' -> {                                                    // SETITEMS
                    List<Object> kv = popMark();
                    Object d = peek();
                    if (kv.size() % 2 != 0) throw bad("SETITEMS with an odd number of items");
                    for (int i = 0; i < kv.size(); i += 2) put(d, kv.get(i), kv.get(i + 1));
                }
                case 'a' -> {                                                    // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> {                                                    // APPENDS
                    List<Object> vs = popMark();
                    list(peek()).addAll(vs);
                }
                case 'b' -> {                                                    // BUILD
                    Object state = pop();
                    Object obj = peek();
                    // a state_dict's OrderedDict carries its _metadata (module versions) as attributes: not needed
                    if (!(obj instanceof Map<?, ?>)) throw bad("BUILD on " + describe(obj) + " (" + describe(state) + ")");
                }
                case '.' -> {                                                    // STOP
                    Object top = pop();
                    if (!stack.isEmpty()) throw bad("STOP with " + stack.size() + " more values on the stack");
                    return top;
                }
                default -> throw bad(String.format("opcode 0x%02x ('%s') is not one torch.save's state_dict pickles use",
                        op, op >= 0x20 && op < 0x7f ? String.valueOf((char) op) : "?"));
            }
        }
    }

    private Global global(String module, String name) throws IOException {
        switch (module + "." + name) {
            case "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter" -> {
                return new Global(module, name, null);
            }
            case "torch.storage._load_from_bytes" -> throw bad("refused pickle global torch.storage._load_from_bytes: a storage pickled "
                    + "with pickle.dump, not torch.save; save the state_dict with torch.save(model.state_dict(), path)");
            default -> { }
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            TorchDType t = TorchDType.ofStorage(name);
            if (t != null) return new Global(module, name, t);
        }
        if (module.equals("torch") && DTYPE_OBJECTS.contains(name)) return new Global(module, name, null);
        if (module.equals("torch._utils") && name.startsWith("_rebuild_") || module.equals("torch._tensor") && name.startsWith("_rebuild_")) {
            throw bad("refused pickle global " + module + "." + name + ": a tensor torch rebuilds otherwise than a plain float"
                    + " tensor (float8 or unsigned dtypes, a Parameter with extra attributes from state_dict(keep_vars=True), a tensor"
                    + " subclass such as DTensor); save plain tensors: {k: v.detach().float().contiguous() for k, v in sd.items()}");
        }
        throw bad("refused pickle global " + module + "." + name + " (a state_dict file holds only an OrderedDict of tensors; "
                + "jrnn never calls other names: save model.state_dict() with torch.save, not the model or other objects)");
    }

    private Object persistent(Object pid) throws IOException {
        if (!(pid instanceof Tuple t) || t.items.size() != 5 || !"storage".equals(t.items.get(0))) {
            throw bad("persistent id " + describe(pid) + " is not torch.save's ('storage', type, key, location, numel)");
        }
        if (!(t.items.get(1) instanceof Global g) || g.dtype == null) {
            throw bad("storage type " + describe(t.items.get(1)) + " is not a torch.*Storage jrnn reads");
        }
        if (!(t.items.get(2) instanceof String key) || !(t.items.get(3) instanceof String loc)) {
            throw bad("storage key and location must be strings, got " + describe(t.items.get(2)) + " and " + describe(t.items.get(3)));
        }
        return new StorageRef(key, g.dtype, loc);
    }

    private Object reduce(Object callable, Object argsObj) throws IOException {
        if (!(callable instanceof Global g)) throw bad("REDUCE calls " + describe(callable) + ", not an allowed global");
        if (!(argsObj instanceof Tuple at)) throw bad("REDUCE arguments " + describe(argsObj) + " are not a tuple");
        List<Object> args = at.items;
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                Map<Object, Object> d = new LinkedHashMap<>();
                if (args.isEmpty()) return d;
                if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        if (!(p instanceof Tuple kv) || kv.items.size() != 2) throw bad("OrderedDict item " + describe(p) + " is not a pair");
                        put(d, kv.items.get(0), kv.items.get(1));
                    }
                    return d;
                }
                throw bad("OrderedDict called with " + describe(argsObj) + ", not () or ([(key, value), ...])");
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                if (args.size() < 6 || args.size() > 7) throw bad("_rebuild_tensor_v2 takes 6 or 7 arguments, got " + args.size());
                if (!(args.get(0) instanceof StorageRef s)) throw bad("_rebuild_tensor_v2's storage is " + describe(args.get(0)));
                if (!(args.get(1) instanceof Long off) || off < 0) throw bad("_rebuild_tensor_v2's storage offset is " + describe(args.get(1)));
                long[] size = longs("size", args.get(2)), stride = longs("stride", args.get(3));
                if (size.length != stride.length) {
                    throw bad("_rebuild_tensor_v2's size has " + size.length + " dimensions, its stride " + stride.length);
                }
                int[] shape = new int[size.length];
                for (int i = 0; i < size.length; i++) {
                    if (size[i] < 0 || size[i] > Integer.MAX_VALUE) throw bad("tensor dimension " + size[i] + " out of range");
                    if (stride[i] < 0) throw bad("negative stride " + stride[i]);
                    shape[i] = (int) size[i];
                }
                return new TensorRef(s, off, shape, stride);
            }
            case "torch._utils._rebuild_parameter" -> {   // a state_dict(keep_vars=True): a Parameter over a tensor
                if (args.size() != 3 || !(args.get(0) instanceof TensorRef t)) throw bad("_rebuild_parameter takes (tensor, requires_grad, hooks), got " + describe(argsObj));
                return t;
            }
            default -> throw bad("refused call of " + g.qualified() + " (only OrderedDict and torch's tensor rebuilds are called)");
        }
    }

    private long[] longs(String what, Object o) throws IOException {
        if (!(o instanceof Tuple t)) throw bad("_rebuild_tensor_v2's " + what + " is " + describe(o) + ", not a tuple");
        if (t.items.size() > 32) throw bad("_rebuild_tensor_v2's " + what + " has " + t.items.size() + " dimensions");
        long[] out = new long[t.items.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.items.get(i) instanceof Long l)) throw bad("_rebuild_tensor_v2's " + what + " holds " + describe(t.items.get(i)));
            out[i] = l;
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private void put(Object d, Object k, Object v) throws IOException {
        if (!(d instanceof Map<?, ?>)) throw bad("SETITEM on " + describe(d) + ", not a dict");
        // a state_dict's keys (and its _metadata's) are strings: a tuple key could hold itself or nest a million deep,
        // and hashing it would then never end
        if (!(k instanceof String || k instanceof Long || k instanceof Boolean || k == NONE)) {
            throw bad("dict key " + describe(k) + " (a state_dict's keys are strings)");
        }
        ((Map<Object, Object>) d).put(k, v);
    }

    private void memoize(long i, Object o) throws IOException {
        count();
        memo.put(i, o);
    }

    private void count() throws IOException {
        if (++objects > MAX_OBJECTS) throw bad("more than " + MAX_OBJECTS + " values: not a state_dict pickle");
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) throws IOException {
        if (!(o instanceof List<?>)) throw bad("APPEND on " + describe(o) + ", not a list");
        return (List<Object>) o;
    }

    private void push(Object o) throws IOException {
        count();
        stack.add(o);
    }

    private Object pop() throws IOException {
        if (stack.isEmpty()) throw bad("stack underflow");
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) throw bad("a MARK where a value was expected");
        return o;
    }

    private Object peek() throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw bad("stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) throws IOException {
        Object[] out = new Object[n];
        for (int i = n - 1; i >= 0; i--) out[i] = pop();
        return Collections.unmodifiableList(java.util.Arrays.asList(out));
    }

    private List<Object> popMark() throws IOException {
        int m = stack.lastIndexOf(MARK);
        if (m < 0) throw bad("no MARK on the stack");
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return Collections.unmodifiableList(items);
    }

    private Object memoGet(long i) throws IOException {
        Object o = memo.get(i);
        if (o == null) throw bad("memo " + i + " read before it was written");
        return o;
    }

    private int u8() throws IOException {
        if (pos >= b.length) throw bad("the pickle ends inside an opcode (truncated)");
        return b[pos++] & 0xff;
    }

    private byte[] take(long n) throws IOException {
        if (n < 0 || n > b.length - pos) throw bad("a length of " + n + " bytes runs past the pickle's end (" + (b.length - pos) + " left)");
        byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + (int) n);
        pos += (int) n;
        return out;
    }

    private ByteBuffer le(int n) throws IOException { return ByteBuffer.wrap(take(n)).order(ByteOrder.LITTLE_ENDIAN); }

    private long long1() throws IOException {
        int n = u8();
        if (n > 8) throw bad("an integer of " + n + " bytes (jrnn reads up to 8)");
        byte[] v = take(n);
        long r = 0;
        for (int i = n - 1; i >= 0; i--) r = r << 8 | (v[i] & 0xff);
        if (n > 0 && n < 8 && v[n - 1] < 0) r |= -1L << (8 * n);   // two's complement sign
        return r;
    }

    private String utf8(long n) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(take(n))).toString();
        } catch (CharacterCodingException e) {
            throw bad("a string that is not valid UTF-8");
        }
    }

    /** A GLOBAL's newline-terminated ASCII name part. */
    private String line() throws IOException {
        int end = pos;
        while (end < b.length && b[end] != '\n') {
            if (b[end] < 0x20 || b[end] > 0x7e || end - pos > 256) throw bad("a GLOBAL name that is not a short printable line");
            end++;
        }
        if (end >= b.length) throw bad("a GLOBAL name runs past the pickle's end");
        String s = new String(b, pos, end - pos, StandardCharsets.US_ASCII);
        pos = end + 1;
        return s;
    }

    private static String describe(Object o) {
        if (o == null) return "nothing";
        if (o instanceof String s) return "the string '" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        if (o instanceof Long l) return "the integer " + l;
        if (o instanceof Tuple t) return "a tuple of " + t.items.size();
        if (o instanceof Map<?, ?>) return "a dict";
        if (o instanceof List<?>) return "a list";
        if (o instanceof Global g) return g.qualified();
        if (o instanceof StorageRef) return "a storage";
        if (o instanceof TensorRef) return "a tensor";
        return String.valueOf(o);
    }
}
