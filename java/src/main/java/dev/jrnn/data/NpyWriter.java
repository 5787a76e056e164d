package dev.jrnn.data;

import dev.jrnn.io.AtomicFiles;
import dev.jrnn.io.FileFaults;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Streams float32 rows of a fixed row shape into a {@code .npy} file whose row count is known only
 * at the end (predictions too big for memory, synthetic data sets). The rows go to a temp file next
 * to the target; {@link #close()} writes the final header and renames the temp file over the
 * target, so a failure never leaves a half-written {@code .npy} behind. The target follows
 * {@link AtomicFiles}' rules: a link is written through, a read-only file or a directory refused at open.
 *
 * <pre>{@code
 * try (NpyWriter w = NpyWriter.open(Path.of("pred.npy"), 20, 1)) {   // rows of shape (20, 1)
 *     w.append(batchPredictions);                                    // shape (B, 20, 1)
 * }                                                                  // pred.npy: shape (N, 20, 1)
 * }</pre>
 */
public final class NpyWriter implements AutoCloseable {
    private static final long PLACEHOLDER = 1_000_000_000_000_000_000L;   // widest count the header must hold
    private final AtomicFiles.Pending out;
    private final Path file;
    private final long[] rowShape;
    private final long rowElements;
    private final int headerSize;
    private final FileChannel ch;   // out's
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long rows;
    private boolean closed;
    private boolean failed;   // an append failed: its bytes may be half there, so close drops the file

    private NpyWriter(AtomicFiles.Pending out, Path file, long[] rowShape) throws IOException {
        this.out = out;
        this.file = file;
        this.ch = out.channel();
        this.rowShape = rowShape;
        long n = 1;
        for (long d : rowShape) n = Math.multiplyExact(n, d);
        this.rowElements = n;
        byte[] h = Npy.headerBytes("<f4", shape(PLACEHOLDER));
        this.headerSize = h.length;
        ByteBuffer hb = ByteBuffer.wrap(h);
        while (hb.hasRemaining()) ch.write(hb);
    }

    /** Opens a writer of rows of shape {@code rowShape} (empty for a 1-d array of scalars). */
    public static NpyWriter open(Path file, int... rowShape) throws IOException {
        if (file == null) throw new IllegalArgumentException("NpyWriter.open: file is null");
        if (rowShape == null) throw new IllegalArgumentException("NpyWriter.open: rowShape is null (empty for scalars)");
        long[] rs = new long[rowShape.length];
        long values = 1;
        for (int i = 0; i < rs.length; i++) {
            if (rowShape[i] <= 0) throw new IllegalArgumentException("NpyWriter: row shape " + Arrays.toString(rowShape) + " needs positive dimensions");
            rs[i] = rowShape[i];
            if (values > Long.MAX_VALUE / 4 / rs[i]) {
                throw new IllegalArgumentException("NpyWriter.open: row shape " + Arrays.toString(rowShape) + " holds more than 2^61 values");
            }
            values *= rs[i];
        }
        // a directory, a read-only file or a FIFO is refused now, not after every row was written
        AtomicFiles.Pending out = AtomicFiles.open(file);
        try {
            return new NpyWriter(out, file, rs);
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** Appends {@code t}, whose shape must be (rows, ...rowShape). */
    public void append(Tensor t) throws IOException {
        if (t == null) throw new IllegalArgumentException("NpyWriter.append: tensor is null");
        int[] s = t.shape();
        boolean ok = s.length == rowShape.length + 1;
        for (int i = 0; ok && i < rowShape.length; i++) ok = s[i + 1] == rowShape[i];
        if (!ok) {
            throw new IllegalArgumentException("NpyWriter.append: expected shape (rows, " + Arrays.toString(rowShape)
                    .replaceAll("[\\[\\]]", "") + "), got " + Tensor.shapeString(s));
        }
        append(t.data(), 0, t.size());
    }

    /** Appends {@code n} values of {@code data} from {@code off}; {@code n} must be whole rows. */
    public void append(float[] data, int off, int n) throws IOException {
        if (closed) throw new IllegalStateException("NpyWriter: already closed");
        if (data == null) throw new IllegalArgumentException("NpyWriter.append: data is null");
        if (n < 0 || off < 0 || off > data.length - n) {
            throw new IllegalArgumentException("NpyWriter.append: off " + off + " and n " + n + " must lie in data's "
                    + data.length + " values (0 <= off, 0 <= n, off + n <= length)");
        }
        if (n % rowElements != 0) throw new IllegalArgumentException("NpyWriter.append: " + n + " values are not whole rows of " + rowElements);
        // an interrupt (which closes the channel) or a full disk names the file, as the other writers' failures do
        if (failed) throw new IllegalStateException("NpyWriter.append: an earlier append to " + file + " failed; the file will not be written");
        failed = true;
        FileFaults.save("NpyWriter.append", file, () -> {
            for (int i = off; i < off + n; ) {
                int k = Math.min(off + n - i, buf.capacity() / 4);
                buf.clear();
                buf.asFloatBuffer().put(data, i, k);
                buf.limit(k * 4);
                while (buf.hasRemaining()) ch.write(buf);
                i += k;
            }
        });
        failed = false;
        rows += n / rowElements;
    }

    /** Rows written so far. */
    public long rows() { return rows; }

    /**
     * Writes the final header and moves the file into place; after a failed {@link #append} (an interrupt, a full disk) it
     * drops what was written instead, leaving the target as it was (the append's exception said why).
     */
    @Override
    public void close() throws IOException {
        if (closed) return;
        if (failed) {
            abort();
            return;
        }
        closed = true;
        try (out) {
            FileFaults.save("NpyWriter.close", file, () -> {
                ByteBuffer h = ByteBuffer.wrap(Npy.headerBytes("<f4", shape(rows), headerSize));
                for (long at = 0; h.hasRemaining(); ) at += ch.write(h, at);
                out.commit();
            });
        }
    }

    /** Drops what was written; the target is left as it was. */
    public void abort() throws IOException {
        if (closed) return;
        closed = true;
        out.close();
    }

    private long[] shape(long n) {
        long[] s = new long[rowShape.length + 1];
        s[0] = n;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return s;
    }
}
