package dev.jrnn.io.keras;

import dev.jrnn.io.AtomicFiles;
import io.jhdf.HdfFile;
import io.jhdf.JhdfInfo;
import io.jhdf.ObjectHeader;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.jhdf.object.message.GroupInfoMessage;
import io.jhdf.object.message.LinkInfoMessage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Repairs what jhdf 0.13 breaks in the files it writes. It closes a file by writing its info string at the channel's
 * position, the end of the last dataset's data, and so over the object header of the first group written after
 * it: a group that holds no dataset (the root {@code vars} group of Keras 3's model.weights.h5, which Keras 3.0-3.5
 * open unconditionally; the group of a weightless layer in tf.keras 2's .h5 layout), which comes after the last
 * dataset when it is iterated last (jhdf writes a group's children in ConcurrentHashMap order). h5py and jhdf then
 * refuse that group. {@link #repair} writes its header again: the writers here leave every such group empty (no
 * children, no attributes), so the header is the one jhdf writes for an empty group. {@link #written} is how the
 * writers here use jhdf: through a scratch file, repaired, its bytes read back.
 */
final class JhdfEmptyGroups {
    /** The root group of model.weights.h5 that holds the model's own (no) variables. */
    static final String ROOT_VARS = "vars";
    /** How far from the end the info string is looked for: past it lie only the headers of groups without datasets. */
    private static final int TAIL = 1 << 20;

    private JhdfEmptyGroups() {}

    /** Puts a file's content through jhdf's writer. */
    interface Content {
        void put(WritableHdfFile h) throws IOException;
    }

    /**
     * The bytes of the HDF5 file {@code content} writes: jhdf writes to a file only, so it goes through a scratch file,
     * {@link #repair}ed: beside the file an {@link AtomicFiles#write} saves (so a save needs no other folder, as Keras'),
     * in {@code java.io.tmpdir} for a bare stream. jhdf's own unchecked exceptions (its {@code HdfWritingException} of a
     * full disk or of a channel an interrupt closed) are IOExceptions, which the callers' saves report with the file's name.
     */
    static byte[] written(Content content) throws IOException {
        return written(content, scratch());
    }

    /**
     * {@link #written(Content)} through the scratch file {@code tmp}. jhdf 0.13's close flushes before it closes its
     * channel, so a flush that fails (a full disk) would leave the channel open: the deleted scratch file would keep
     * its disk space, and one descriptor, until a GC. A write that fails is released here instead, and nothing is
     * flushed after the content failed.
     */
    static byte[] written(Content content, Path tmp) throws IOException {
        try {
            WritableHdfFile h = HdfFile.write(tmp);
            boolean closed = false;
            try {
                content.put(h);
                h.close();
                closed = true;
            } catch (HdfException e) {
                throw new IOException("writing HDF5 to " + tmp + ": " + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")"), e);
            } finally {
                if (!closed) release(h, tmp);
            }
            byte[] b = Files.readAllBytes(tmp);
            if (readable(b)) return b;
            patch(tmp);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Closes the channel of a jhdf file that will not be closed normally. jhdf keeps it in a private field (jhdf is not
     * a named module, so it is open to reflection); if a jhdf version drops the field, the scratch file is emptied
     * instead, which gives its disk space back although the descriptor stays until a GC.
     */
    private static void release(WritableHdfFile h, Path tmp) {
        try {
            java.lang.reflect.Field f = WritableHdfFile.class.getDeclaredField("fileChannel");
            f.setAccessible(true);
            ((FileChannel) f.get(h)).close();
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            } catch (IOException | RuntimeException ignored) {
                // the first failure is the one reported; this one only costs disk space until a GC
            }
        }
    }

    /** A scratch file for jhdf: beside the file being saved, else in java.io.tmpdir (named in the failure's message). */
    private static Path scratch() throws IOException {
        Path beside = AtomicFiles.scratch();
        if (beside != null) return beside;
        try {
            return Files.createTempFile("jrnn-weights", ".h5");
        } catch (IOException e) {
            throw new IOException("HDF5 written to a stream goes through a scratch file, which java.io.tmpdir ("
                    + System.getProperty("java.io.tmpdir") + ") could not take: " + e + " (save to a file, which needs only its own"
                    + " folder, or set -Djava.io.tmpdir)", e);
        }
    }

    /** Makes every group of {@code file}, just closed by jhdf, readable again where jhdf's info string overwrote one. */
    static void repair(Path file) throws IOException {
        if (!readable(file)) patch(file);
    }

    /** {@link #repair} of a file known unreadable. */
    private static void patch(Path file) throws IOException {
        byte[] info = ("jHDF - " + JhdfInfo.VERSION + " - " + JhdfInfo.OS + " - " + JhdfInfo.ARCH + " - " + JhdfInfo.BYTE_ORDER)
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = new ObjectHeader.ObjectHeaderV2(0, List.of(GroupInfoMessage.createBasic(), LinkInfoMessage.createBasic())).toBuffer();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            int tailLength = (int) Math.min(size, TAIL);
            ByteBuffer tail = ByteBuffer.allocate(tailLength);
            ch.read(tail, size - tailLength);
            int at = lastIndexOf(tail.array(), info);
            if (at < 0) throw new IOException(file + ": a group cannot be read and jhdf's info string is not where expected");
            long position = size - tailLength + at;
            // the string (24 bytes + os.name + os.arch) may run over the next empty groups' headers too (a long os.name,
            // "Windows Server 2022"): each lies a header further, past the last dataset only such groups do
            for (long p = position; p < position + info.length && p + header.limit() <= size; p += header.limit()) {
                ch.write(header.duplicate(), p);
            }
            // no truncate: the superblock's end-of-file address is the size with the info string
        }
        if (!readable(file)) throw new IOException(file + ": a group jhdf's info string overwrote could not be repaired");
    }

    /** Whether every group of {@code file}, with its attributes, reads back. */
    static boolean readable(Path file) throws IOException {
        // never jhdf's HdfFile(Path), whose maps outlived the check until a GC, holding the saved file (on Windows, a
        // ModelCheckpoint could not then replace it): the bytes, or reads by position past what an array holds
        if (Files.size(file) > KerasFile.MAX_MEMBER_BYTES) {
            try (HdfFile h = FileMapping.byPosition(file, "its")) {
                walk(h);
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }
        return readable(Files.readAllBytes(file));
    }

    /** {@link #readable(Path)} of a file's bytes. */
    static boolean readable(byte[] file) {
        try (HdfFile h = HdfFile.fromBytes(file)) {
            walk(h);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void walk(Group g) {
        g.getAttributes().values().forEach(a -> a.getData());
        for (Node n : g.getChildren().values()) if (n instanceof Group c) walk(c);
    }

    private static int lastIndexOf(byte[] in, byte[] what) {
        outer:
        for (int i = in.length - what.length; i >= 0; i--) {
            for (int j = 0; j < what.length; j++) if (in[i + j] != what[j]) continue outer;
            return i;
        }
        return -1;
    }
}
