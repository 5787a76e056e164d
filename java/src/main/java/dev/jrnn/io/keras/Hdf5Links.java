package dev.jrnn.io.keras;

import io.jhdf.api.Group;
import io.jhdf.api.Link;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.jhdf.links.ExternalLink;

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

    /** Throws a KerasFormatException naming the first link or externally stored dataset below {@code root}. */
    static void refuse(Group root) {
        walk(root, "", new HashSet<>());
    }

    private static void walk(Group g, String path, Set<Long> seen) {
        if (!seen.add(g.getAddress())) return;   // a group hard-linked into itself or twice: walked once
        Map<String, Node> children;
        try {
            children = g.getChildren();
        } catch (HdfException e) {
            String where = path.isEmpty() ? "/" : path;
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (String.valueOf(t.getMessage()).contains("External Data Files")) {
                    throw new KerasFormatException("a dataset in HDF5 group " + where + " keeps its data in another file "
                            + "(external storage): refused, as Keras 3 refuses an external Dataset");
                }
            }
            throw new KerasFormatException("HDF5 group " + where + " could not be read: " + jhdfReason(e));
        }
        for (Map.Entry<String, Node> c : children.entrySet()) {
            Node n = c.getValue();
            String at = path + "/" + c.getKey();
            if (n instanceof Link link) {
                String kind = link instanceof ExternalLink ? "external link" : "soft link";
                throw new KerasFormatException(at + " is an HDF5 " + kind + " (to " + link.getTargetPath()
                        + "): refused, as Keras 3 refuses links (\"Not allowed: H5 file with "
                        + (link instanceof ExternalLink ? "ExternalLink" : "SoftLink") + "\")");
            }
            if (n instanceof Group child) walk(child, at, seen);
        }
    }

    /** jhdf's innermost message: what it found wrong, without its exception class names. */
    static String jhdfReason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause().getMessage() != null) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
