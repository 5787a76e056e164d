package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Streams float32 rows of a fixed row shape into a {@code .npy} file whose row count is known only
 * at the end (predictions too big for memory, synthetic data sets). The rows go to a temp file next
 * to the target; {@link #close()} writes the final header and renames the temp file over the
 * target, so a failure never leaves a half-written {@code .npy} behind.
 *
 * <pre>{@code
 * try (NpyWriter w = NpyWriter.open(Path.of("pred.npy"), 20, 1)) {   // rows of shape (20, 1)
 *     w.append(batchPredictions);                                    // shape (B, 20, 1)
 * }                                                                  // pred.npy: shape (N, 20, 1)
 * }</pre>
 */
public final class NpyWriter implements AutoCloseable {
    private static final long PLACEHOLDER = 1_000_000_000_000_000_000L;   // widest count the header must hold
    private final Path target, tmp;
    private final long[] rowShape;
    private final long rowElements;
    private final int headerSize;
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long rows;
    private boolean closed;

    private NpyWriter(Path target, Path tmp, long[] rowShape) throws IOException {
        this.target = target;
        this.tmp = tmp;
        this.rowShape = rowShape;
        long n = 1;
        for (long d : rowShape) n = Math.multiplyExact(n, d);
        this.rowElements = n;
        byte[] h = Npy.headerBytes("<f4", shape(PLACEHOLDER));
        this.headerSize = h.length;
        this.ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
        ch.write(ByteBuffer.wrap(h));
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
        Path abs = file.toAbsolutePath();
        // refused now, not after every row was written: the rename over it would fail at close
        if (Files.isDirectory(abs)) throw new IOException(abs + " is a directory, not a .npy file to write");
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        // not createTempFile: its owner-only mode would stay on the renamed file
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            return new NpyWriter(abs, tmp, rs);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
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
        for (int i = off; i < off + n; ) {
            int k = Math.min(off + n - i, buf.capacity() / 4);
            buf.clear();
            buf.asFloatBuffer().put(data, i, k);
            buf.limit(k * 4);
            while (buf.hasRemaining()) ch.write(buf);
            i += k;
        }
        rows += n / rowElements;
    }

    /** Rows written so far. */
    public long rows() { return rows; }

    /** Writes the final header and moves the file into place. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            try (ch) {
                ch.write(ByteBuffer.wrap(Npy.headerBytes("<f4", shape(rows), headerSize)), 0);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Drops what was written; the target is left as it was. */
    public void abort() throws IOException {
        if (closed) return;
        closed = true;
        try (ch) {
            Files.deleteIfExists(tmp);
        }
    }

    private long[] shape(long n) {
        long[] s = new long[rowShape.length + 1];
        s[0] = n;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return s;
    }
}
