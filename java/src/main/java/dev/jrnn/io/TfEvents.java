package dev.jrnn.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file of scalars, as TensorFlow 2's {@code tf.summary.scalar} (so Keras' TensorBoard callback)
 * writes them: {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2} in a directory, TFRecord frames (length,
 * masked CRC-32C of the length, an {@code Event} protocol buffer, masked CRC-32C of it), the first event naming the file
 * version {@code brain.Event:2}, then one {@code Event { wall_time, step, summary { value { tag, tensor, metadata } } }}
 * per scalar: a float32 scalar tensor marked for the {@code scalars} plugin, which TensorBoard's readers list under
 * tensors, as Keras' (PyTorch's {@code SummaryWriter} writes the older {@code simple_value}, listed under scalars; the
 * TensorBoard UI plots both). Each scalar is flushed as it is written, so TensorBoard shows a run while it trains.
 *
 * <pre>{@code
 * try (TfEvents w = TfEvents.open(Path.of("logs/train"))) { w.scalar("epoch_loss", 0, 0.25); }
 * }</pre>
 */
public final class TfEvents implements AutoCloseable {
    private static final AtomicInteger FILES = new AtomicInteger();
    private final Path file;
    private final OutputStream out;

    private TfEvents(Path file, OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /** A new event file in {@code dir} (created with its parents when missing). */
    public static TfEvents open(Path dir) throws IOException {
        if (dir == null) throw new IllegalArgumentException("TfEvents.open: dir is null");
        Files.createDirectories(dir);
        double now = System.currentTimeMillis() / 1000.0;
        String name = "events.out.tfevents." + (long) now + "." + host() + "." + ProcessHandle.current().pid() + "."
                + FILES.getAndIncrement() + ".v2";
        Path file = dir.resolve(name);
        TfEvents w = new TfEvents(file, Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        try {
            w.write(versionEvent(now));
        } catch (IOException | RuntimeException ex) {
            w.close();
            throw ex;
        }
        return w;
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The file written to. */
    public Path file() { return file; }

    /** One scalar summary {@code tag} at {@code step}; TensorBoard plots it against the step. */
    public void scalar(String tag, long step, double value) throws IOException {
        if (tag == null || tag.isEmpty()) throw new IllegalArgumentException("TfEvents.scalar: tag must be a non-empty string, got " + tag);
        write(scalarEvent(System.currentTimeMillis() / 1000.0, tag, step, value));
    }

    private void write(byte[] event) throws IOException {
        out.write(frame(event));
        out.flush();
    }

    /** {@code Event { wall_time, file_version: "brain.Event:2" }}, the first event of a file. */
    static byte[] versionEvent(double wallTime) {
        return new Proto().fixed64(1, Double.doubleToRawLongBits(wallTime)).bytes(3, "brain.Event:2".getBytes(StandardCharsets.UTF_8)).toByteArray();
    }

    /**
     * {@code Event { wall_time, step, summary { value { tag, tensor { dtype: DT_FLOAT, tensor_shape {}, tensor_content },
     * metadata { plugin_data { plugin_name: "scalars" } } } } }}, field for field as TensorFlow 2.21 writes it.
     */
    static byte[] scalarEvent(double wallTime, String tag, long step, double value) {
        byte[] content = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) value).array();
        byte[] tensor = new Proto().varint(1, 1).bytes(2, new byte[0]).bytes(4, content).toByteArray();
        byte[] plugin = new Proto().bytes(1, "scalars".getBytes(StandardCharsets.UTF_8)).toByteArray();
        byte[] metadata = new Proto().bytes(1, plugin).toByteArray();
        byte[] v = new Proto().bytes(1, tag.getBytes(StandardCharsets.UTF_8)).bytes(8, tensor).bytes(9, metadata).toByteArray();
        byte[] summary = new Proto().bytes(1, v).toByteArray();
        return new Proto().fixed64(1, Double.doubleToRawLongBits(wallTime)).varint(2, step).bytes(5, summary).toByteArray();
    }

    /** The TFRecord frame around {@code data}: its length, the length's masked CRC, the data, the data's masked CRC. */
    static byte[] frame(byte[] data) {
        byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        return ByteBuffer.allocate(16 + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .put(len).putInt(masked(len)).put(data).putInt(masked(data)).array();
    }

    /** TFRecord's masked CRC-32C: rotated right by 15 bits plus 0xa282ead8. */
    static int masked(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    @Override
    public void close() throws IOException { out.close(); }

    /** The few protocol-buffer encodings an event needs (varint, fixed32, fixed64, length-delimited). */
    private static final class Proto {
        private final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                b.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.write((int) v);
        }

        Proto varint(int field, long v) {
            raw((long) field << 3);
            raw(v);
            return this;
        }

        Proto fixed32(int field, int v) {
            raw(((long) field << 3) | 5);
            for (int i = 0; i < 4; i++) b.write(v >>> (8 * i));
            return this;
        }

        Proto fixed64(int field, long v) {
            raw(((long) field << 3) | 1);
            for (int i = 0; i < 8; i++) b.write((int) (v >>> (8 * i)));
            return this;
        }

        Proto bytes(int field, byte[] v) {
            raw(((long) field << 3) | 2);
            raw(v.length);
            b.writeBytes(v);
            return this;
        }

        byte[] toByteArray() { return b.toByteArray(); }
    }
}
