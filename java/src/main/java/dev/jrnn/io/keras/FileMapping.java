package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A read-only mapping of a model file (or a stored zip member of it) that {@link #close} unmaps, not a GC: jhdf's own
 * maps of a path, and a plain {@code FileChannel.map}, outlived the load until a collection, so a deleted file kept its
 * disk space and Windows could not replace it. A buffer of it read after close throws IllegalStateException; it never
 * reads unmapped memory. Its channel is closed with it: outside a load the file's own; within one a view of the file the
 * load holds ({@code FileFaults.channel}), which stays open until the load ends, so every read of the load sees one
 * version. A file it cannot map (over {@link #limit}, or on a file
 * system that refuses: FUSE direct_io) jhdf reads by position instead ({@link #byPosition}).
 */
final class FileMapping implements AutoCloseable {
    /** The file, open for reads by position beside the mapping. */
    final FileChannel channel;
    /** The mapped bytes (at most what one buffer holds). */
    final ByteBuffer bytes;
    private final Arena arena;

    private FileMapping(FileChannel channel, Arena arena, ByteBuffer bytes) {
        this.channel = channel;
        this.arena = arena;
        this.bytes = bytes;
    }

    /** Maps {@code size} bytes of {@code path} from {@code at} (of a file on the default file system; size under 2 GiB). */
    static FileMapping map(Path path, long at, long size) throws IOException {
        // within a load, the file the load holds open (closing this view leaves it open): one version whatever is renamed
        // over the path meanwhile; outside one (a save's check of its own file), a channel of its own that close() closes
        FileChannel ch = FileFaults.channel(path);
        Arena arena = Arena.ofShared();   // shared: a load may read and close it on another thread than the opener's (confined refuses both)
        try {
            return new FileMapping(ch, arena, ch.map(FileChannel.MapMode.READ_ONLY, at, size, arena).asByteBuffer());
        } catch (IOException | RuntimeException | Error e) {
            close(ch, arena, e);
            throw e;
        }
    }

    /** The largest file (or stored member) mapped; a larger one is read by position. Package-private: tests lower it. */
    static volatile long limit = KerasFile.MAX_MEMBER_BYTES;

    /** {@link #map}, or null where the file system cannot map the file (the caller reads it otherwise). */
    static FileMapping orNull(Path path, long at, long size) {
        try {
            return FileMapping.map(path, at, size);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * {@code path} parsed by jhdf through reads by position into heap buffers: jhdf wraps a byte channel in its
     * FileChannelFromSeekableByteChannel, which cannot map (its HdfFileChannel then reads each block), so no mapping
     * outlives the load at any size, and the channel closes with the HdfFile. (Not HdfFile(FileChannel): its close
     * throws, the file having no path.)
     */
    static HdfFile byPosition(Path path, String whose) throws IOException {
        FileFaults.opensPathItself(path);   // jhdf's HdfFile holds the path: a rename during the load is read again
        FileChannel ch = FileChannel.open(path);
        try {
            return Hdf5Superblock.open(whose, () -> new HdfFile(ch, path.toUri()));
        } catch (RuntimeException | Error e) {
            try {
                ch.close();
            } catch (IOException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    /** A copy of the mapped bytes (for a reader that patches them). */
    byte[] copy() {
        byte[] r = new byte[bytes.capacity()];
        bytes.get(0, r);
        return r;
    }

    /** All of {@code path}'s bytes (a file off the default file system, or one jhdf reads patched), refused past what a byte[] holds. */
    static byte[] readAll(Path path, String what) throws IOException {
        FileFaults.opensPathItself(path);   // a rename during the load may give another version: it is read again
        long size = Files.size(path);
        if (size > KerasFile.MAX_MEMBER_BYTES) {
            throw new KerasFormatException(what + " is " + size + " bytes, over the limit of " + KerasFile.MAX_MEMBER_BYTES
                    + " read into memory off the default file system: copy it to a file first");
        }
        return Files.readAllBytes(path);
    }

    private boolean closed;

    /** Unmaps the bytes and closes the channel; a second call does nothing (as a channel's close). */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            channel.close();
        } catch (IOException | RuntimeException e) {
            closeArena(arena, e);
            throw e;
        }
        arena.close();
    }

    /** Closes {@code m} (null: nothing) after {@code failure}, a failure to close added to it. */
    static void closeAfter(FileMapping m, Throwable failure) {
        if (m == null) return;
        synchronized (m) {
            if (m.closed) return;
            m.closed = true;
        }
        close(m.channel, m.arena, failure);
    }

    private static void close(FileChannel ch, Arena arena, Throwable failure) {
        try {
            ch.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        closeArena(arena, failure);
    }

    /** Ends {@code arena}, what that throws added to {@code failure} rather than put in its place. */
    private static void closeArena(Arena arena, Throwable failure) {
        try {
            arena.close();
        } catch (RuntimeException e) {
            if (e != failure) failure.addSuppressed(e);
        }
    }
}
