package dev.jrnn.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes a file so that readers see either the old content or the complete new one: the bytes go
 * to a temp file in the same directory, are forced to disk, and the temp file is then renamed over
 * the target. A failure (or a kill) before the rename leaves the old file as it was.
 *
 * <p>Rules at the edges:
 * <ul>
 *   <li>A symbolic link is written through, as editors do: the link stays and its target gets the new
 *       content (a dangling link creates its target).</li>
 *   <li>The target must be a regular file or absent: a directory, FIFO or device is refused with an
 *       IOException before anything is opened, and so is a file without write permission (0444): a save
 *       never replaces a read-only file.</li>
 *   <li>The directory must exist: a missing one is a {@link NoSuchFileException} naming it, and nothing is created
 *       (as Python's {@code open} and Keras' {@code model.save} raise {@code FileNotFoundError}; a typo in a path
 *       does not make a new tree).</li>
 *   <li>The temp file is {@code .<name>.<random>.tmp}, with the name cut so the whole fits in 255 UTF-8
 *       bytes (any name the file system takes can be saved). A save deletes the temp files of the same
 *       target that a crashed save left behind: those not modified for {@link #STALE_TEMP}.</li>
 *   <li>An orderly exit during a save ({@code System.exit} from the saving thread, the end of main, or any exit while
 *       the saving thread is a daemon) removes the save's temp and {@link #scratch} files from a shutdown hook. A save
 *       on a live non-daemon thread (SIGTERM, or System.exit from another thread) is left to finish, since a shutdown
 *       hook of the application may wait for it; a crash ({@code kill -9}, {@code Runtime.halt}, a power cut), or an
 *       exit that such a save does not outlast, leaves its files for the sweep above.</li>
 * </ul>
 *
 * <pre>{@code
 * AtomicFiles.write(Path.of("weights.safetensors"), out -> out.write(bytes));
 * }</pre>
 */
public final class AtomicFiles {
    /** A temp file of the same target untouched this long is a crash's leftover, deleted by the next save. */
    public static final Duration STALE_TEMP = Duration.ofMinutes(15);
    /** Longest file name (bytes) most file systems take. */
    static final int NAME_MAX = 255;
    private static final String SUFFIX = ".tmp";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The temp and scratch files of the saves in progress, each with the thread making it (see {@link #removeInFlight}). */
    private static final Map<Path, Thread> IN_FLIGHT = new ConcurrentHashMap<>();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    private AtomicFiles() {}

    /** Produces the file content. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code content} to {@code file} atomically (temp file + rename), in a directory that exists. */
    public static void write(Path file, Content content) throws IOException {
        if (file == null) throw new IllegalArgumentException("AtomicFiles.write: file is null");
        if (content == null) throw new IllegalArgumentException("AtomicFiles.write: content is null");
        try (Pending p = open(file)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(p.channel()), 1 << 16);
            ScopedValue.where(SAVING, p).call(() -> {
                content.writeTo(out);
                return null;
            });
            out.flush();
            p.commit();
        }
    }

    /** The save a {@link #write} on this thread is making (its target's links resolved): {@link #scratch} puts its files beside it. */
    private static final ScopedValue<Pending> SAVING = ScopedValue.newInstance();

    /**
     * A new empty file beside the file this thread's {@link #write} is saving, for content that must pass through a file
     * of its own first (jhdf writes HDF5 to a path only): so a save needs only its destination's directory, not
     * {@code java.io.tmpdir}. It is named and made as the save's temp file (owner-only; removed on an orderly exit during
     * the save, a crash's leftover goes with a later save's stale temp files); the caller deletes it, and the write deletes
     * it at its end if the caller did not. Null outside a write.
     */
    public static Path scratch() throws IOException {
        if (!SAVING.isBound()) return null;
        Pending p = SAVING.get();
        Path f = createTemp(p.target.getParent(), p.target.getFileName().toString());
        p.scratch.add(f);
        return f;
    }

    /**
     * A save in progress, for content written piece by piece ({@code NpyWriter}): its temp file's channel. {@link #commit()}
     * forces it to disk and renames it over the target; {@link #close()} before that deletes it, the target as it was.
     *
     * <pre>{@code
     * try (AtomicFiles.Pending p = AtomicFiles.open(Path.of("rows.bin"))) {
     *     p.channel().write(ByteBuffer.wrap(bytes));
     *     p.commit();
     * }
     * }</pre>
     */
    public static final class Pending implements AutoCloseable {
        private final Path target, tmp;
        private final FileChannel ch;
        /** The {@link #scratch} files made for this save (on its thread only). */
        private final List<Path> scratch = new ArrayList<>();
        private boolean done;

        private Pending(Path target, Path tmp, FileChannel ch) {
            this.target = target;
            this.tmp = tmp;
            this.ch = ch;
        }

        /** The temp file's channel, opened for writing. */
        public FileChannel channel() { return ch; }

        /** Forces the content to disk and renames the temp file over the target (which keeps its permissions). */
        public void commit() throws IOException {
            if (done) throw new IllegalStateException("AtomicFiles.Pending: already committed or closed");
            done = true;
            try {
                try (ch) {
                    ch.force(true);   // the data is on disk before the rename makes it visible
                }
                keepPermissions(tmp, target);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                try {
                    Files.deleteIfExists(tmp);
                } finally {
                    released();
                }
            }
        }

        /** Drops the content unless committed: the temp file goes, the target stays as it was. */
        @Override
        public void close() throws IOException {
            if (done) return;
            done = true;
            try (ch) {
                Files.deleteIfExists(tmp);
            } finally {
                released();
            }
        }

        /** The save is over: its scratch files go (their callers delete them first) and the shutdown hook forgets its files. */
        private void released() throws IOException {
            IOException failed = null;
            for (Path f : scratch) {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    failed = e;
                }
            }
            scratch.forEach(IN_FLIGHT::remove);
            IN_FLIGHT.remove(tmp);
            if (failed != null) throw failed;
        }
    }

    /** Starts a save of {@code file} (same rules as {@link #write}): checks the target, creates the temp file. */
    public static Pending open(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("AtomicFiles.open: file is null");
        Path abs = resolveLinks(file.toAbsolutePath());
        Path dir = abs.getParent();
        requireDirectory(abs);
        checkReplaceable(abs);
        removeStaleTemps(dir, abs.getFileName().toString());
        Path tmp = createTemp(dir, abs.getFileName().toString());
        try {
            return new Pending(abs, tmp, FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            IN_FLIGHT.remove(tmp);
            throw e;
        }
    }

    /**
     * Throws what a save of {@code file} throws when its directory is missing ({@link NoSuchFileException} naming it:
     * "no such directory to write m.keras in; nothing was made ...") or is not a directory; for writers that append in
     * place (CSVLogger), so their message says why as a save's does.
     */
    public static void requireDirectory(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("AtomicFiles.requireDirectory: file is null");
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            if (Files.exists(dir)) {
                throw new java.nio.file.FileSystemException(dir.toString(), null, "not a directory, so " + abs.getFileName()
                        + " cannot be written in it");
            }
            throw new NoSuchFileException(dir.toString(), null, "no such directory to write " + abs.getFileName() + " in; nothing"
                    + " was made (create the directory first, as for Keras' model.save and Python's open())");
        }
    }

    /**
     * Throws an IOException naming {@code file} unless it is a regular file (links followed); {@code what}
     * names what was expected ("a safetensors file"). Readers call it before opening: opening a FIFO with
     * no writer would block forever.
     */
    public static void requireRegularFile(Path file, String what) throws IOException {
        if (file == null) throw new IllegalArgumentException("file is null, expected " + what);
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString());
        if (Files.isDirectory(file)) throw new IOException(file + " is a directory, not " + what);
        if (!Files.isRegularFile(file)) throw new IOException(file + " is not a regular file (a FIFO, socket or device?), not " + what);
    }

    /** The path a write through {@code p} lands on: symbolic links followed, a dangling one to its target. */
    private static Path resolveLinks(Path p) throws IOException {
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == 40) throw new IOException(p + ": too many levels of symbolic links");
            Path target = Files.readSymbolicLink(p);
            p = p.resolveSibling(target).normalize();
        }
        return p;
    }

    private static void checkReplaceable(Path abs) throws IOException {
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(abs)) throw new IOException(abs + " is a directory");
        if (!Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(abs + " is not a regular file (a FIFO, socket or device?); refusing to replace it");
        }
        boolean readOnly = !Files.isWritable(abs);
        if (!readOnly && abs.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(abs);
            readOnly = !perms.contains(PosixFilePermission.OWNER_WRITE);   // root may write anything: look at the bits
        }
        if (readOnly) throw new IOException(abs + " is read-only; refusing to replace it (make it writable or remove it first)");
    }

    /** {@code .<name>.} with the name cut (on a character boundary) so prefix + random + suffix fit NAME_MAX bytes. */
    static String tempPrefix(String name) {
        int room = NAME_MAX - 2 - 13 - SUFFIX.length();   // two dots, 13 base-36 digits of a random long
        StringBuilder b = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int w = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + w > room) break;
            b.appendCodePoint(cp);
            bytes += w;
            i += Character.charCount(cp);
        }
        return "." + b + ".";
    }

    private static Path createTemp(Path dir, String name) throws IOException {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] ownerOnly = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        hook();
        for (int tries = 0; ; tries++) {
            Path tmp = dir.resolve(tempPrefix(name) + random13() + SUFFIX);
            IN_FLIGHT.put(tmp, Thread.currentThread());   // before it exists: an exit between the two finds no file to delete
            try {
                return Files.createFile(tmp, ownerOnly);
            } catch (IOException | RuntimeException e) {
                IN_FLIGHT.remove(tmp);
                if (!(e instanceof FileAlreadyExistsException) || tries == 10) throw e;
            }
        }
    }

    /**
     * Registers, once per process, the shutdown hook that deletes the files of saves in progress whose thread will not
     * finish them (see {@link #removeInFlight}). It deletes and never waits: the saving thread may be the one inside
     * System.exit. The hook holds this class (and its class loader) until the JVM exits.
     */
    private static void hook() {
        if (!HOOKED.compareAndSet(false, true)) return;
        try {
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("jrnn-save-cleanup").unstarted(AtomicFiles::removeInFlight));
        } catch (IllegalStateException e) {
            // the JVM is already shutting down (a save from another hook): nothing to register
        }
    }

    /**
     * Deletes the temp and scratch files of the saves in progress that their thread will not finish (the shutdown hook's
     * work): the thread is dead, a daemon (the JVM halts it), or the one inside {@code System.exit}/{@code Runtime.exit}
     * (it waits for the hooks). A live non-daemon thread's files stay: another shutdown hook may be waiting for that save
     * (a pre-emptible job's last checkpoint), and deleting its temp file would fail it; if the JVM ends first, the files are
     * a crash's leftovers, which a later save of the same target removes after {@link #STALE_TEMP}.
     */
    static void removeInFlight() {
        for (Map.Entry<Path, Thread> f : IN_FLIGHT.entrySet()) {
            Path p = f.getKey();
            Thread owner = f.getValue();
            if (owner.isAlive() && !owner.isDaemon() && !exiting(owner)) continue;
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException e) {
                // the next file: an orderly exit removes what it can
            }
        }
    }

    /** Whether {@code t} is the thread running the JVM's exit ({@code Runtime.exit}, hence {@code java.lang.Shutdown}). */
    private static boolean exiting(Thread t) {
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().equals("java.lang.Shutdown")
                    || f.getClassName().equals("java.lang.Runtime") && f.getMethodName().equals("exit")) return true;
        }
        return false;
    }

    /** Deletes this target's temp files ({@code .<name>.<random>.tmp}) not modified for {@link #STALE_TEMP}. */
    private static void removeStaleTemps(Path dir, String name) throws IOException {
        String prefix = tempPrefix(name);
        FileTime cutoff = FileTime.fromMillis(System.currentTimeMillis() - STALE_TEMP.toMillis());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> isTempOf(p.getFileName().toString(), prefix))) {
            for (Path p : ds) {
                try {
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                            && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).compareTo(cutoff) < 0) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    // another save removed it, or we may not: the save itself does not depend on it
                }
            }
        }
    }

    /** A random long in base 36, zero-padded to its 13 digits: the sweep takes only names of exactly that form. */
    private static String random13() {
        String r = Long.toUnsignedString(RANDOM.nextLong(), 36);
        return "0".repeat(13 - r.length()) + r;
    }

    /**
     * Whether {@code f} is one of this target's temp files: the prefix, exactly 13 lower-case base-36 digits, ".tmp". Not
     * a user's own {@code .m.keras.old.tmp} or {@code .m.keras.backup.tmp} ("old" and "backup" are base-36 words too).
     */
    private static boolean isTempOf(String f, String prefix) {
        if (!f.startsWith(prefix) || !f.endsWith(SUFFIX)) return false;
        String mid = f.substring(prefix.length(), f.length() - SUFFIX.length());
        if (mid.length() != 13) return false;
        for (int i = 0; i < mid.length(); i++) {
            char c = mid.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z')) return false;
        }
        return true;
    }

    /**
     * Temp files are created owner-only (0600); the saved file should not be. A replaced file keeps its
     * permissions; a new one gets rw-r--r-- (what a plain Files.write gives under the usual umask 022).
     */
    private static void keepPermissions(Path tmp, Path target) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
        Set<PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }
}
