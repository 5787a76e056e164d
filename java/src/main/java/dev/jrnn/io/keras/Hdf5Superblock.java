package dev.jrnn.io.keras;

import io.jhdf.HdfFile;

/**
 * What {@link KerasFile} checks of an HDF5 file's superblock as it opens it: the file's length against the one the
 * superblock records, and jhdf's failures to read the superblock and root group named as such.
 */
final class Hdf5Superblock {
    private Hdf5Superblock() {}

    /**
     * A truncated HDF5 file: its superblock records where the file ends (8-byte addresses, superblock v0 at byte 40,
     * v1 at 44, v2/v3 at 28); a file shorter than that lost its tail. jhdf alone may read a cut file without error.
     */
    static void checkLength(byte[] head, long size, String what) {
        if (head.length < 48) throw new KerasFormatException(what + " is " + size + " bytes: too short for an HDF5 superblock");
        int version = head[8];
        int offsets = version <= 1 ? head[13] : head[9];
        int at = switch (version) {
            case 0 -> 40;
            case 1 -> 44;
            case 2, 3 -> 28;
            default -> throw new KerasFormatException(what + ": unknown HDF5 superblock version " + version);
        };
        if (offsets != 8) return;   // 4-byte addresses: rare, left to jhdf
        long end = java.nio.ByteBuffer.wrap(head, at, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        if (end != -1 && end > size) {
            throw new KerasFormatException(what + " is " + size + " bytes but its HDF5 superblock says " + end + ": truncated");
        }
    }

    /**
     * The HDF5 file {@code open} opens ({@code whose}: "its", "zip member model.weights.h5's"): jhdf's failures to read its superblock and root group (a checksum, an address past a
     * long) as a KerasFormatException saying so, as jhdf's words name neither.
     */
    static HdfFile open(String whose, java.util.function.Supplier<HdfFile> open) {
        try {
            return open.get();
        } catch (RuntimeException e) {
            throw new KerasFormatException(whose + " HDF5 superblock or root group could not be read ("
                    + JhdfFailures.words(e) + "): damaged", e);
        }
    }
}
