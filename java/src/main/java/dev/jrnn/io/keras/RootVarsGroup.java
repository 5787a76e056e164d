package dev.jrnn.io.keras;

import io.jhdf.HdfFile;
import io.jhdf.JhdfInfo;
import io.jhdf.ObjectHeader;
import io.jhdf.api.Group;
import io.jhdf.object.message.GroupInfoMessage;
import io.jhdf.object.message.LinkInfoMessage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The model's own (empty) {@code vars} group at the root of model.weights.h5, which Keras 3.0-3.5 open unconditionally
 * ({@code H5IOStore.get("")}). jhdf 0.13 closes a file by writing its info string at the end of the last dataset's data:
 * a group with no dataset written after that (this one: it comes last among the root's children) loses the start of
 * its object header, and h5py and jhdf then refuse it. {@link #repair} writes that header again.
 */
final class RootVarsGroup {
    static final String NAME = "vars";

    private RootVarsGroup() {}

    /** Makes the root {@code vars} group of {@code file}, just closed by jhdf, readable again where jhdf's info string overwrote it. */
    static void repair(Path file) throws IOException {
        if (readable(file)) return;
        byte[] info = ("jHDF - " + JhdfInfo.VERSION + " - " + JhdfInfo.OS + " - " + JhdfInfo.ARCH + " - " + JhdfInfo.BYTE_ORDER)
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = new ObjectHeader.ObjectHeaderV2(0, List.of(GroupInfoMessage.createBasic(), LinkInfoMessage.createBasic())).toBuffer();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            int tailLength = (int) Math.min(size, info.length + header.limit());
            ByteBuffer tail = ByteBuffer.allocate(tailLength);
            ch.read(tail, size - tailLength);
            int at = lastIndexOf(tail.array(), info);
            if (at < 0) throw new IOException(file + ": the root 'vars' group cannot be read and jhdf's info string is not where expected");
            long position = size - tailLength + at;
            // no truncate: the superblock's end-of-file address is the size with the info string, which may be longer
            // than the header (a long os.name); its bytes past the header stay as unreferenced padding
            ch.write(header, position);
        }
        if (!readable(file)) throw new IOException(file + ": the root 'vars' group could not be repaired");
    }

    private static boolean readable(Path file) {
        try (HdfFile h = new HdfFile(file)) {
            return h.getChild(NAME) instanceof Group g && g.getChildren().isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
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
