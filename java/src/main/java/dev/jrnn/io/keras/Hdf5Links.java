package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import io.jhdf.AbstractNode;
import io.jhdf.ObjectHeader;
import io.jhdf.api.Group;
import io.jhdf.api.Link;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.jhdf.btree.BTreeV1;
import io.jhdf.links.ExternalLink;
import io.jhdf.object.message.LinkInfoMessage;
import io.jhdf.object.message.LinkMessage;
import io.jhdf.object.message.SymbolTableMessage;
import io.jhdf.storage.HdfBackingStorage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Refuses the HDF5 objects Keras 3 refuses to read weights through ({@code saving_lib.safe_get_h5_group} /
 * {@code safe_get_h5_dataset}: "Not allowed: H5 file with ExternalLink / SoftLink / external Dataset"): an external link
 * reads another file on the machine into the model (or blocks for good on a FIFO), a soft link makes one dataset two
 * weights, external storage reads raw bytes from another file. Checked over the whole file before any data is read,
 * never resolving a link; Keras checks only the objects it reads, so a link where no weight is read is refused here too.
 */
final class Hdf5Links {
    private Hdf5Links() {}

    /**
     * How deep groups may nest below the root: Keras' files nest well under 20 levels; a deeper chain (2,000 levels
     * where nothing is read) overflowed the stack in jhdf's per-level path building, in time growing with depth squared.
     * The JSON reader's nesting limit is the same.
     */
    static final int MAX_DEPTH = 64;

    /**
     * How many objects (links, each a group, dataset or link) the walk takes: a Keras file holds 4-20 per layer (a
     * 1,000-layer model with Adam's variables ~10,000-20,000). Each costs jhdf ~30 us to list and walk, so a file of
     * 100,000 unused empty groups took 3-4 s before a weight was read; over this it is refused, a group's links counted
     * before jhdf lists them where the file says how many (an old-style group's symbol table, a compact new-style one).
     */
    static final int MAX_OBJECTS = 100_000;

    private record Pending(Group group, String path, int depth) {}

    /** Throws a KerasFormatException naming a link or externally stored dataset below {@code root} (the walk is depth-first, last sibling first). */
    static void refuse(Group root) {
        refuse(root, MAX_OBJECTS);
    }

    /** {@link #refuse(Group)} with a cap of {@code maxObjects} objects. */
    static void refuse(Group root, int maxObjects) {
        refuse(root, maxObjects, null);
    }

    /**
     * As {@link #refuse(Group, int)}, but a group jhdf cannot list for Keras' bfloat16 type ({@link JhdfOpaqueTypes})
     * goes to {@code unlistable} (when not null) and is skipped.
     */
    static void refuse(Group root, int maxObjects, java.util.function.Consumer<Group> unlistable) {
        long objects = 0;
        Set<Long> seen = new HashSet<>();
        ArrayDeque<Pending> todo = new ArrayDeque<>();
        todo.push(new Pending(root, "", 0));
        while (!todo.isEmpty()) {
            Pending p = todo.pop();
            if (!seen.add(p.group().getAddress())) continue;   // a group hard-linked into itself or twice: walked once
            long listed = links(p.group(), p.path());   // before jhdf lists (and parses) them: a group of millions is refused here
            objects = capped(objects + listed, maxObjects, p.path());
            Map<String, Node> children = children(p.group(), p.path(), unlistable);
            if (children.size() > listed) objects = capped(objects + children.size() - listed, maxObjects, p.path());
            for (Map.Entry<String, Node> c : children.entrySet()) {
                Node n = c.getValue();
                String at = p.path() + "/" + c.getKey();
                if (n instanceof Link link) {
                    String kind = link instanceof ExternalLink ? "external link" : "soft link";
                    throw new KerasFormatException(at + " is an HDF5 " + kind + " (to " + link.getTargetPath()
                            + "): refused, as Keras 3 refuses links (\"Not allowed: H5 file with "
                            + (link instanceof ExternalLink ? "ExternalLink" : "SoftLink") + "\")");
                }
                if (n instanceof Group child) {
                    if (p.depth() + 1 > MAX_DEPTH) {
                        throw new KerasFormatException("HDF5 group " + at + " is nested " + (p.depth() + 1)
                                + " levels deep, over the limit of " + MAX_DEPTH + " (Keras files nest under 20)");
                    }
                    todo.push(new Pending(child, at, p.depth() + 1));
                }
            }
        }
    }

    private static long capped(long objects, int maxObjects, String path) {
        if (objects <= maxObjects) return objects;
        throw new KerasFormatException("the HDF5 file holds more than " + maxObjects + " objects (groups, datasets, links; "
                + objects + " counted when HDF5 group " + (path.isEmpty() ? "/" : path) + " was reached): refused, as a Keras "
                + "file holds 4-20 per layer and each costs ~30 us to walk");
    }

    /**
     * How many links {@code g} holds, from what the file says before they are listed: an old-style group's symbol table
     * nodes (h5py's default, Keras' files) or a compact new-style group's link messages; 0 where the file keeps them
     * densely (jhdf lists those, and the count after listing is the walk's).
     */
    private static long links(Group g, String path) {
        try {
            ObjectHeader oh = ((AbstractNode) g).getHeader();
            if (oh.hasMessageOfType(SymbolTableMessage.class)) {
                HdfBackingStorage s = g.getHdfFile().getHdfBackingStorage();
                long n = 0;
                for (long node : BTreeV1.createGroupBTree(s, oh.getMessageOfType(SymbolTableMessage.class).getBTreeAddress()).getChildAddresses()) {
                    // a symbol table node: "SNOD", version, reserved, the number of its entries (2 bytes)
                    n += s.readBufferFromAddress(node, 8).order(ByteOrder.LITTLE_ENDIAN).getShort(6) & 0xffff;
                }
                return n;
            }
            if (oh.hasMessageOfType(LinkInfoMessage.class)) return oh.getMessagesOfType(LinkMessage.class).size();
            return 0;
        } catch (RuntimeException e) {   // not counted here (a damaged table): the listing below says what is wrong
            return 0;
        }
    }

    private static Map<String, Node> children(Group g, String path, java.util.function.Consumer<Group> unlistable) {
        try {
            return g.getChildren();
        } catch (HdfException e) {
            if (unlistable != null && JhdfOpaqueTypes.failedOn(e)) {
                unlistable.accept(g);
                return Map.of();
            }
            String where = path.isEmpty() ? "/" : path;
            for (Throwable t : FileFaults.causes(e)) {
                if (String.valueOf(t.getMessage()).contains("External Data Files")) {
                    throw new KerasFormatException("a dataset in HDF5 group " + where + " keeps its data in another file "
                            + "(external storage): refused, as Keras 3 refuses an external Dataset");
                }
                if (String.valueOf(t.getMessage()).contains("Virtual storage")) {   // jhdf 0.13 parses no virtual dataset
                    throw new KerasFormatException("a dataset in HDF5 group " + where + " is a virtual dataset (its data "
                            + "mapped from other datasets or files): refused, as Keras 3 refuses a virtual Dataset");
                }
            }
            throw new KerasFormatException("HDF5 group " + where + " could not be read: " + jhdfReason(e));
        }
    }

    /** jhdf's innermost message: what it found wrong, without its exception class names. */
    static String jhdfReason(Throwable e) {
        List<Throwable> chain = FileFaults.causes(e);   // each once: a chain may loop back
        Throwable t = chain.get(0);
        for (int i = 1; i < chain.size() && chain.get(i).getMessage() != null; i++) t = chain.get(i);
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
