package dev.jrnn.io.keras;

import io.jhdf.api.Group;
import io.jhdf.api.Link;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.jhdf.links.ExternalLink;

import java.util.ArrayDeque;
import java.util.HashSet;
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

    private record Pending(Group group, String path, int depth) {}

    /** Throws a KerasFormatException naming a link or externally stored dataset below {@code root} (the walk is depth-first, last sibling first). */
    static void refuse(Group root) {
        Set<Long> seen = new HashSet<>();
        ArrayDeque<Pending> todo = new ArrayDeque<>();
        todo.push(new Pending(root, "", 0));
        while (!todo.isEmpty()) {
            Pending p = todo.pop();
            if (!seen.add(p.group().getAddress())) continue;   // a group hard-linked into itself or twice: walked once
            for (Map.Entry<String, Node> c : children(p.group(), p.path()).entrySet()) {
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

    private static Map<String, Node> children(Group g, String path) {
        try {
            return g.getChildren();
        } catch (HdfException e) {
            String where = path.isEmpty() ? "/" : path;
            for (Throwable t = e; t != null; t = t.getCause()) {
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
        Throwable t = e;
        while (t.getCause() != null && t.getCause().getMessage() != null) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
