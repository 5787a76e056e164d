package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import io.jhdf.AbstractNode;
import io.jhdf.GroupSymbolTableNode;
import io.jhdf.HdfFile;
import io.jhdf.ObjectHeader;
import io.jhdf.SymbolTableEntry;
import io.jhdf.api.Group;
import io.jhdf.btree.BTreeV1;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.Reference;
import io.jhdf.object.message.SymbolTableMessage;
import io.jhdf.storage.HdfBackingStorage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The datatype Keras writes bfloat16 variables as, which jhdf 0.13 cannot parse: h5py stores NumPy's 2-byte void
 * (ml_dtypes' bfloat16) as an HDF5 opaque type with an empty tag, and jhdf's opaque type reads its tag up to a NUL that
 * an empty tag does not have ("End of buffer reached before NULL"), failing the listing of the whole group. Where a
 * group fails so, the file is read again from a copy in which each such type (found in its datasets' object headers)
 * is marked: its class byte made that of an object reference, which parses with no further bytes and which no HDF5
 * writer makes 2 bytes wide. {@link Hdf5Arrays} reads a marked dataset's bytes as bfloat16 (float32 bits = bf16 bits
 * &lt;&lt; 16) where it has Keras' attribute dtype="bfloat16", and refuses it otherwise. Every other byte is the file's.
 */
final class JhdfOpaqueTypes {
    private JhdfOpaqueTypes() {}

    /** The bytes of the HDF5 file, read when a copy is needed. */
    interface Bytes {
        byte[] copy() throws IOException;
    }

    /** Whether {@code t} is a marked type: a 2-byte "object reference" (a real one is as wide as the file's addresses). */
    static boolean marked(DataType t) {
        return t instanceof Reference r && r.getSize() == 2;
    }

    /** Whether jhdf failed in its opaque datatype's parse (the empty tag), somewhere in {@code e}'s causes. */
    static boolean failedOn(Throwable e) {
        for (Throwable t : FileFaults.causes(e)) {
            for (StackTraceElement f : t.getStackTrace()) {
                if (f.getClassName().equals("io.jhdf.object.datatype.OpaqueDataType")) return true;
            }
        }
        return false;
    }

    /**
     * {@code h} with its links refused ({@link Hdf5Links#refuse}), or, where a group of it fails to list for an empty-tag
     * opaque type, a file over a copy of {@code bytes} with those types marked (links refused there; {@code h} then
     * closed). Rounds repeat for groups below such a group, at most {@link Hdf5Links#MAX_DEPTH} deep.
     */
    static HdfFile readable(HdfFile h, Bytes bytes) throws IOException {
        TreeSet<Long> marks = new TreeSet<>();
        byte[] copy = null;
        HdfFile current = h;
        try {
            for (int round = 0; ; round++) {
                List<Long> found = new ArrayList<>();
                Hdf5Links.refuse(current, Hdf5Links.MAX_OBJECTS, g -> found.addAll(emptyTagTypes(g)));
                found.removeAll(marks);
                if (found.isEmpty()) {
                    if (current != h) h.close();
                    return current;
                }
                if (round > Hdf5Links.MAX_DEPTH) {
                    throw new KerasFormatException("HDF5 groups holding bfloat16 (2-byte opaque) datasets are nested over "
                            + Hdf5Links.MAX_DEPTH + " levels deep");
                }
                if (copy == null) copy = bytes.copy();
                long base = current.getHdfBackingStorage().getSuperblock().getBaseAddressByte();
                for (long at : found) {
                    int i = Math.toIntExact(base + at);
                    copy[i] = (byte) ((copy[i] & 0xf0) | REFERENCE_CLASS);   // the version nibble kept
                }
                marks.addAll(found);
                if (current != h) current.close();
                current = HdfFile.fromByteBuffer(ByteBuffer.wrap(copy));
            }
        } catch (RuntimeException | Error | IOException e) {
            if (current != h) current.close();
            throw e;
        }
    }

    /** HDF5's datatype classes as the datatype message's first byte's low nibble holds them. */
    private static final int OPAQUE_CLASS = 5, REFERENCE_CLASS = 7;

    /** HDF5's datatype and continuation message types. */
    private static final int DATATYPE_MESSAGE = 3, CONTINUATION_MESSAGE = 0x10;

    /**
     * The addresses of the empty-tag opaque datatype messages (their first byte) in the object headers of {@code g}'s
     * members that jhdf cannot parse; a KerasFormatException where such a member is not one jrnn can mark (not in
     * h5py's default layout: an old-style group, version-1 object headers, as Keras writes them).
     */
    private static List<Long> emptyTagTypes(Group g) {
        HdfBackingStorage s = g.getHdfFile().getHdfBackingStorage();
        ObjectHeader oh = ((AbstractNode) g).getHeader();
        if (!oh.hasMessageOfType(SymbolTableMessage.class)) throw unmarkable(g, "a new-style group");
        List<Long> found = new ArrayList<>();
        SymbolTableMessage stm = oh.getMessageOfType(SymbolTableMessage.class);
        for (long node : BTreeV1.createGroupBTree(s, stm.getBTreeAddress()).getChildAddresses()) {
            for (SymbolTableEntry e : new GroupSymbolTableNode(s, node).getSymbolTableEntries()) {
                if (e.getCacheType() == 2) continue;   // a soft link: Hdf5Links refuses it once the group lists
                long address = e.getObjectHeaderAddress();
                try {
                    ObjectHeader.readObjectHeader(s, address);
                    continue;   // jhdf parses it: not what failed
                } catch (RuntimeException unparsed) {
                    int before = found.size();
                    emptyTagTypes(s, address, found, g);
                    if (found.size() == before) {
                        throw new KerasFormatException("HDF5 group " + g.getPath() + " could not be read: "
                                + Hdf5Links.jhdfReason(unparsed));
                    }
                }
            }
        }
        return found;
    }

    /** Adds the empty-tag opaque datatype messages of the version-1 object header at {@code address} to {@code found}. */
    private static void emptyTagTypes(HdfBackingStorage s, long address, List<Long> found, Group g) {
        ByteBuffer prefix = s.readBufferFromAddress(address, 16).order(ByteOrder.LITTLE_ENDIAN);
        if (prefix.get(0) != 1) throw unmarkable(g, "a version-" + prefix.get(0) + " object header");
        int messages = prefix.getShort(2) & 0xffff;
        ArrayDeque<long[]> blocks = new ArrayDeque<>();
        blocks.add(new long[] {address + 16, prefix.getInt(8) & 0xffffffffL});
        int read = 0;
        // a crafted header's continuations may point back at themselves: each block is read once, and all of them
        // together at most the file's size
        java.util.Set<Long> seen = new java.util.HashSet<>();
        long scanned = 0;
        while (!blocks.isEmpty() && read < messages) {
            long[] block = blocks.poll();
            scanned += block[1];
            if (block[1] > s.size() || scanned > s.size()) throw unmarkable(g, "an object header of more than " + s.size() + " bytes");
            ByteBuffer b = s.readBufferFromAddress(block[0], (int) block[1]).order(ByteOrder.LITTLE_ENDIAN);
            // each message: type (2 bytes), size (2), flags (1), 3 reserved, its data, the next one 8-byte aligned
            for (int at = 0; at + 8 <= b.limit() && read < messages; read++) {
                int type = b.getShort(at) & 0xffff, size = b.getShort(at + 2) & 0xffff, flags = b.get(at + 4);
                int data = at + 8;
                if (data + size > b.limit()) break;
                boolean shared = (flags & 0x02) != 0;
                // class bits: tag length 0; element size 2 (bfloat16's), so no other opaque type is marked and misread
                if (type == DATATYPE_MESSAGE && !shared && size >= 8 && (b.get(data) & 0x0f) == OPAQUE_CLASS
                        && b.get(data + 1) == 0 && b.get(data + 2) == 0 && b.get(data + 3) == 0 && b.getInt(data + 4) == 2) {
                    found.add(block[0] + data);
                } else if (type == CONTINUATION_MESSAGE) {
                    ByteBuffer c = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(data);
                    long offset = io.jhdf.Utils.readBytesAsUnsignedLong(c, s.getSizeOfOffsets());
                    long length = io.jhdf.Utils.readBytesAsUnsignedLong(c, s.getSizeOfLengths());
                    if (!seen.add(offset)) throw unmarkable(g, "an object header whose continuation blocks loop");
                    blocks.add(new long[] {offset, length});
                }
                at = (data + size + 7) & ~7;
            }
        }
    }

    private static KerasFormatException unmarkable(Group g, String what) {
        return new KerasFormatException("HDF5 group " + g.getPath() + " could not be read: a member's datatype is a 2-byte "
                + "opaque type with an empty tag (as h5py stores Keras' bfloat16), which jrnn reads only in h5py's default "
                + "layout (old-style groups, version-1 object headers), not in " + what);
    }
}
