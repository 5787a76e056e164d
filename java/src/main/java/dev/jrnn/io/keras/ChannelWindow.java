package dev.jrnn.io.keras;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * Bytes {@code [start, start + size)} of a channel as a channel of their own, read-only: how jhdf reads a stored
 * {@code model.weights.h5} inside a {@code .keras} zip on a file system that cannot map it (a jar's, an in-memory one),
 * without copying the member out. Closing it closes the channel below. One reader at a time (jhdf locks around each
 * position and read).
 */
final class ChannelWindow implements SeekableByteChannel {
    private final SeekableByteChannel below;
    private final long start;
    private final long size;
    private long position;

    ChannelWindow(SeekableByteChannel below, long start, long size) {
        this.below = below;
        this.start = start;
        this.size = size;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (position >= size) return -1;
        int limit = dst.limit();
        if (dst.remaining() > size - position) dst.limit(dst.position() + (int) (size - position));
        try {
            below.position(start + position);
            int n = below.read(dst);
            if (n > 0) position += n;
            return n;
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
        if (newPosition < 0) throw new IllegalArgumentException("position " + newPosition + " < 0");
        position = newPosition;
        return this;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long ignored) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return below.isOpen();
    }

    @Override
    public void close() throws IOException {
        below.close();
    }
}
