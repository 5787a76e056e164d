package dev.jrnn.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The IOExceptions a model file's reader or writer ends in when the fault is not in the file's content, so that a caller
 * catching IOException sees them all and is not told a good file is damaged:
 * <ul>
 *   <li>the file changed or was truncated while being read: a page of a memory-mapped file that shrank faults, which the
 *       JVM reports as {@link InternalError} (a VirtualMachineError that {@code catch (IOException | RuntimeException e)}
 *       misses), or the file's size, modification time or identity moved while a read failed;</li>
 *   <li>the thread was interrupted: a {@code FileChannel} closes itself on an interrupt
 *       ({@code ClosedByInterruptException}, no message), which the HDF5 and zip readers report as a file they cannot
 *       open and jhdf's writer as its unchecked {@code HdfWritingException}. An {@link InterruptedIOException} names the
 *       file instead; the interrupt flag stays set.</li>
 * </ul>
 *
 * <pre>{@code
 * Map<String, Tensor> w = FileFaults.read(file, () -> SafeTensors.read(file));
 * FileFaults.save("sequential.save", file, () -> AtomicFiles.write(file, out -> out.write(bytes)));
 * }</pre>
 */
public final class FileFaults {
    /** What every "changed while being read" message says. */
    static final String CHANGED = "the file changed or was truncated while being read";

    /** What a failed save's message says of the file it would have replaced. */
    private static final String UNCHANGED = "the previous file, if any, is unchanged";

    private FileFaults() {}

    /** A read of a file. */
    @FunctionalInterface
    public interface Read<T> {
        /** Reads the file and returns what it read. */
        T run() throws IOException;
    }

    /** A write of a file. */
    @FunctionalInterface
    public interface Write {
        /** Writes the file. */
        void run() throws IOException;
    }

    /** The IOException that says {@code CHANGED}; a nested guard passes it on as it is. */
    private static final class Changed extends IOException {
        Changed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Whether {@code e} (or a cause) is the JVM's fault on a page of a mapped file that is no longer there. */
    public static boolean isMappedFault(Throwable e) {
        for (Throwable t : causes(e)) {
            // "a fault occurred in an unsafe memory access operation" (or "in a recent ... in compiled Java code")
            if (t instanceof InternalError && t.getMessage() != null && t.getMessage().contains("unsafe memory access")) return true;
        }
        return false;
    }

    /**
     * {@code e} and its causes in order, each once: a chain that loops back on itself (a's cause b, b's a) ends there.
     * Every walk down a cause chain goes through this, as a loop would otherwise spin forever.
     */
    public static List<Throwable> causes(Throwable e) {
        return causes(e, t -> false);
    }

    /**
     * As {@link #causes(Throwable)}, ending before the first throwable {@code stop} accepts (it and its causes are left out):
     * the interrupt checks do not look into an {@code ExecutionException}, another thread's failure, so.
     */
    public static List<Throwable> causes(Throwable e, java.util.function.Predicate<Throwable> stop) {
        List<Throwable> r = new ArrayList<>();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = e; t != null && !stop.test(t) && seen.add(t); t = t.getCause()) r.add(t);
        return r;
    }

    /**
     * Whether {@code e} or one of its causes is this thread's interrupt's doing: an InterruptedException, a plain
     * {@link InterruptedIOException} (jrnn's saves and loads on an interrupted thread; not a subclass such as
     * {@code SocketTimeoutException}, a timeout), a channel or lock wait the interrupt closed, or what {@code also}
     * accepts. The chain is not followed into an ExecutionException or CompletionException: what is inside is another
     * thread's failure (a Dataset's prefetch thread hands its own interrupt on so). Model's and data's interrupt checks
     * both ask this.
     */
    public static boolean interruptCaused(Throwable e, java.util.function.Predicate<Throwable> also) {
        for (Throwable t : causes(e, c -> c instanceof java.util.concurrent.ExecutionException
                || c instanceof java.util.concurrent.CompletionException)) {
            if (t instanceof InterruptedException || t.getClass() == InterruptedIOException.class || t instanceof ClosedByInterruptException
                    || t instanceof java.nio.channels.FileLockInterruptionException || also.test(t)) return true;
        }
        return false;
    }

    /**
     * The IOException for data of {@code source} (a file, or "file:member") that changed under a read, model file or data
     * set alike: {@code <source>: the file changed or was truncated while being read: expected <expected>, found <found>
     * (...)}.
     */
    public static IOException changed(String source, String expected, String found, Throwable cause) {
        return new Changed(source + ": " + CHANGED + ": expected " + expected + ", found " + found
                + " (written in place or replaced by another thread or process: open and read it again once that write is done)", cause);
    }

    /**
     * Throws {@link #changed} when {@code file} is no longer the version {@code opened} was taken of (its size, modification
     * time or identity moved: written, or replaced by a rename, a {@code cp -p} copy of the same size and time included);
     * the cheap check a reader that keeps a file open (a mapped data set) makes before each pass over it.
     */
    public static void requireUnchanged(String source, Path file, Stamp opened) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw changed(source, "the file as opened (" + opened + ")", "no file to read (" + e + ")", e);
        }
        Stamp now = new Stamp(a.size(), a.lastModifiedTime(), a.fileKey());
        if (!now.equals(opened)) throw changed(source, "the file as opened (" + opened + ")", now.toString(), null);
    }

    /**
     * The {@link InterruptedIOException} a read of {@code source} ends in when its thread is interrupted (a channel's
     * {@code ClosedByInterruptException}, {@code cause}): the file is not at fault; the flag is set again.
     */
    public static InterruptedIOException readingInterrupted(String source, Throwable cause) {
        return interrupted(source + ": reading stopped", "", cause);
    }

    /**
     * Runs {@code body}, a read of {@code file} that changes nothing but returns what it read, so that it throws only what
     * it declares and never blames the file for what is not its fault: with the thread's interrupt flag set it does not
     * start ({@link InterruptedIOException}), and a failure while the flag is set is one too; a mapped page's fault, or any
     * failure while the file changed, is an IOException saying the file changed or was truncated while being read. Other
     * failures go on as they are. A read during which the file changed (its size, modification time or identity moved:
     * written in place, or replaced by a rename) is read again, up to three times, its result closed when it is
     * AutoCloseable; a file that keeps changing is refused. {@code body} must change nothing it cannot do again. Its
     * {@link #warn}ings are logged once it returns, those of a try read again never; a read that fails logs none, and
     * its exception carries them, each as a suppressed {@link Warning} (one may say why it failed: an order of arrays
     * that was a guess).
     * {@code file} null: {@code body} alone.
     */
    public static <T> T read(Path file, Read<T> body) throws IOException {
        return read(file, body, false);
    }

    /**
     * As {@link #read}, for a {@code body} that opens {@code file} only through {@link #channel} (or calls
     * {@link #opensPathItself} where it does not): when a save renames a new file over the path during the read, its
     * result is of the version it opened, whole, and is kept rather than read again (a load beside a save loop gets the
     * old model, not a refusal).
     */
    public static <T> T readThroughChannel(Path file, Read<T> body) throws IOException {
        return read(file, body, true);
    }

    /**
     * Declares that the {@link #readThroughChannel} of {@code file} in progress on this thread opens the path itself (not
     * through {@link #channel}): a rename over the path during it may mix two versions, so it is read again as a plain
     * {@link #read} is.
     */
    public static void opensPathItself(Path file) {
        Pin pin = pinOf(file);
        if (pin != null) pin.only = false;
    }

    private static <T> T read(Path file, Read<T> body, boolean throughChannel) throws IOException {
        if (file == null) return body.run();   // the reader's own message for a null file
        Pin outer = PIN.get();
        if (outer != null && outer.file.equals(key(file))) return body.run();   // the read around this one checks, the same open file
        java.util.Deque<List<String[]>> holds = HELD.get();
        for (int attempt = 1; ; attempt++) {
            if (Thread.currentThread().isInterrupted()) throw interrupted(file + ": not read", "", null);
            Stamp before = Stamp.of(file);
            at("stamped");
            Pin pin = Pin.open(file, before);
            if (pin != null) {
                pin.only = throughChannel;
                before = pin.opened;   // the version it opened (another, renamed over the path after the stamp)
            }
            at("opened");
            List<String[]> held = new ArrayList<>();   // this try's warnings, logged only if it gives the result
            boolean pushed = false;
            boolean done = false;
            try {
                PIN.set(pin);   // inside the try: the finally closes the pin whatever fails from here
                holds.push(held);
                pushed = true;
                T result;
                try {
                    result = body.run();
                } catch (IOException | RuntimeException | InternalError e) {
                    if (e instanceof InterruptedIOException || e instanceof Changed) throw e;   // a nested guard's
                    if (interruptedBy(e)) throw interrupted(file + ": reading stopped", "", e);
                    if (!isMappedFault(e) && (before == null || before.equals(Stamp.of(file)))) throw e;
                    if (attempt == READ_ATTEMPTS) throw changedUnder(file, before, isMappedFault(e) ? "a mapped page gone" : "a failed read", e);
                    pause(attempt);
                    continue;
                }
                Stamp after = Stamp.of(file);
                if (before == null || after == null || before.equals(after) || pin != null && pin.wholeThroughPin(after)) {
                    done = true;
                    return result;
                }
                // written in place or replaced meanwhile (a reader that opens the path more than once may hold parts of both;
                // an inode number can come back with the other version): read the file again, refuse if it keeps changing
                IOException e = attempt == READ_ATTEMPTS ? changedUnder(file, before, "a read that completed", null) : null;
                if (result instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception x) {
                        if (e != null) e.addSuppressed(x);
                    }
                }
                if (e != null) throw e;
                pause(attempt);
            } catch (Throwable t) {   // this try's failure is the read's: what it warned of goes with it, not to the log
                for (String[] w : held) t.addSuppressed(new Warning(w[1]));
                throw t;
            } finally {
                PIN.set(outer);
                if (pin != null) pin.close();
                if (pushed) holds.pop();
                // a failed read's warnings (state left out of a load the CRC then refuses) are of a model no caller gets
                if (done) for (String[] w : held) warn(w[0], w[1]);   // to the read around this one, else logged
            }
        }
    }

    /**
     * The file a {@link #read} of {@code file} on this thread holds open, for the reader to read it through: a channel
     * that every call of the read gets (its close leaves the file open; the read closes it when it ends), so that a read
     * that opens the file several times (a zip's directory, then a member's mapping) reads one version of it even when a
     * save renames a new file over the path meanwhile. Outside such a read, or off the default file system, a channel of
     * its own, closed by the caller.
     */
    public static FileChannel channel(Path file) throws IOException {
        Pin pin = pinOf(file);
        if (pin != null) return new View(pin.channel);
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /**
     * A channel of {@code file} to read: within a {@link #read} of it, through the file that read holds open
     * ({@link #channel}); off the default file system {@link Files#newByteChannel} (zipfs' FileChannel copies a jar's
     * member to a temporary file first). Off the default file system zipfs' byte channel holds the whole member in
     * memory: for a reader that reads the whole file anyway.
     */
    public static java.nio.channels.SeekableByteChannel byteChannel(Path file) throws IOException {
        return onDefault(file) ? channel(file) : Files.newByteChannel(file, StandardOpenOption.READ);
    }

    /**
     * A stream of {@code file}: within a {@link #read} of it, through the file that read holds open ({@link #channel});
     * off the default file system {@link Files#newInputStream}, which streams a jar's member (its byte channel would
     * read all of it into memory for a look at its first bytes).
     */
    public static java.io.InputStream input(Path file) throws IOException {
        return onDefault(file) ? java.nio.channels.Channels.newInputStream(channel(file)) : Files.newInputStream(file);
    }

    private static boolean onDefault(Path file) {
        return file.getFileSystem() == java.nio.file.FileSystems.getDefault();
    }

    /** {@code file}'s size: within a {@link #read} of it, that of the file the read holds open. */
    public static long size(Path file) throws IOException {
        Pin pin = pinOf(file);
        return pin != null ? pin.channel.size() : Files.size(file);
    }

    /**
     * Per thread, for tests: called at points of each try of a {@link #read} ("stamped": after the path's stamp, before
     * the open; "opened": after the open, before the body), so a test renames a file over the path exactly there.
     */
    static final ThreadLocal<java.util.function.Consumer<String>> AT = new ThreadLocal<>();

    private static void at(String point) {
        java.util.function.Consumer<String> hook = AT.get();
        if (hook != null) hook.accept(point);
    }

    /**
     * The stamp of the version of {@code file} that the {@link #read} of it on this thread holds open (taken at its open,
     * so a file renamed over the path since does not describe it); null outside such a read, or when it holds none.
     */
    public static Stamp pinned(Path file) {
        Pin pin = pinOf(file);
        return pin != null ? pin.opened : null;
    }

    /** The file a {@link #read} of {@code file} on this thread holds open; null outside one (or in a read of another file). */
    private static Pin pinOf(Path file) {
        Pin pin = PIN.get();
        return pin != null && pin.file.equals(key(file)) ? pin : null;
    }

    /** Per thread: the file the innermost {@link #read} holds open; null outside one. */
    private static final ThreadLocal<Pin> PIN = new ThreadLocal<>();

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }

    /** A file held open for one try of a {@link #read}, and whether the read opens it only through {@link #channel}. */
    static final class Pin {
        final Path file;
        final FileChannel channel;
        final Stamp opened;
        boolean only;

        private Pin(Path file, FileChannel channel, Stamp opened) {
            this.file = file;
            this.channel = channel;
            this.opened = opened;
        }

        /**
         * {@code file} open for reading when it is a regular file of the default file system that stays {@code before}
         * across the open, else null. A file renamed over the path between the stamp and the open (a save loop's) is
         * opened once more with the new file's stamp ({@link #opened}): a load beside the loop then pins a version too.
         */
        static Pin open(Path file, Stamp before) {
            if (before == null || before.key() == null || file.getFileSystem() != java.nio.file.FileSystems.getDefault()
                    || !Files.isRegularFile(file)) return null;   // a FIFO would block the open; the reader says what is wrong
            Path key = key(file);   // before the open: an IOError here (no working directory) leaks no channel
            for (int attempt = 1; ; attempt++) {
                FileChannel ch;
                try {
                    ch = FileChannel.open(file, StandardOpenOption.READ);
                } catch (IOException | RuntimeException e) {
                    return null;   // the reader's own open fails with its own message
                }
                Stamp now = Stamp.of(file);
                if (before.equals(now)) return new Pin(key, ch, before);
                try {   // replaced between the stamp and the open: not known to be that version
                    ch.close();
                } catch (IOException ignored) {
                    // nothing was read through it
                }
                if (attempt == 2 || now == null || now.key() == null) return null;
                before = now;
            }
        }

        /**
         * Whether a read that ended with the path at {@code after} read the version it opened whole: it opened the file only
         * through this pin, and the path now names another file (replaced by a rename, which leaves the opened one as it
         * was; a file written in place keeps its identity and is read again) of which the opened one kept its size.
         */
        boolean wholeThroughPin(Stamp after) {
            try {
                return only && !java.util.Objects.equals(after.key(), opened.key()) && channel.size() == opened.size();
            } catch (IOException e) {
                return false;
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }
    }

    /** A reader's handle on a {@link Pin}'s channel: reads and maps it by position; closing it leaves the pin open. */
    private static final class View extends FileChannel {
        private final FileChannel file;
        private long position;

        View(FileChannel file) {
            this.file = file;
        }

        @Override public int read(java.nio.ByteBuffer dst) throws IOException {
            ensureOpen();
            int n = file.read(dst, position);
            if (n > 0) position += n;
            return n;
        }

        @Override public long read(java.nio.ByteBuffer[] dsts, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                int n = read(dsts[i]);
                if (n < 0) return total == 0 ? -1 : total;
                total += n;
                if (dsts[i].hasRemaining()) break;
            }
            return total;
        }

        @Override public int read(java.nio.ByteBuffer dst, long at) throws IOException {
            ensureOpen();
            return file.read(dst, at);
        }

        @Override public long position() throws IOException {
            ensureOpen();
            return position;
        }

        @Override public FileChannel position(long at) throws IOException {
            ensureOpen();
            if (at < 0) throw new IllegalArgumentException("position " + at + " < 0");
            position = at;
            return this;
        }

        @Override public long size() throws IOException {
            ensureOpen();
            return file.size();
        }

        @Override public java.nio.MappedByteBuffer map(MapMode mode, long at, long size) throws IOException {
            ensureOpen();
            return file.map(mode, at, size);
        }

        /** The arena-held mapping io.keras.FileMapping makes (FileChannel's own version throws UnsupportedOperationException). */
        @Override public java.lang.foreign.MemorySegment map(MapMode mode, long at, long size, java.lang.foreign.Arena arena) throws IOException {
            ensureOpen();
            return file.map(mode, at, size, arena);
        }

        @Override public long transferTo(long at, long count, java.nio.channels.WritableByteChannel target) throws IOException {
            ensureOpen();
            return file.transferTo(at, count, target);
        }

        @Override public int write(java.nio.ByteBuffer src) {
            throw new java.nio.channels.NonWritableChannelException();
        }

        @Override public long write(java.nio.ByteBuffer[] srcs, int offset, int length) {
            throw new java.nio.channels.NonWritableChannelException();
        }

        @Override public int write(java.nio.ByteBuffer src, long at) {
            throw new java.nio.channels.NonWritableChannelException();
        }

        @Override public FileChannel truncate(long size) {
            throw new java.nio.channels.NonWritableChannelException();
        }

        @Override public long transferFrom(java.nio.channels.ReadableByteChannel src, long at, long count) {
            throw new java.nio.channels.NonWritableChannelException();
        }

        @Override public void force(boolean metaData) {
            // read-only: nothing to write out
        }

        @Override public java.nio.channels.FileLock lock(long at, long size, boolean shared) throws IOException {
            return file.lock(at, size, shared);
        }

        @Override public java.nio.channels.FileLock tryLock(long at, long size, boolean shared) throws IOException {
            return file.tryLock(at, size, shared);
        }

        @Override protected void implCloseChannel() {
            // the pin's read closes the file
        }

        private void ensureOpen() throws IOException {
            if (!isOpen()) throw new java.nio.channels.ClosedChannelException();
        }
    }

    /** {@link #changed} for a read of {@code file} that began on version {@code before} and ended in {@code what}. */
    private static IOException changedUnder(Path file, Stamp before, String what, Throwable cause) {
        Stamp now = Stamp.of(file);
        return changed(file.toString(), before == null ? "a readable file" : "the file as it was when the read began (" + before + ")",
                what + " and " + (now == null ? "no readable file" : now.toString()), cause);
    }

    /**
     * A warning of a {@link #read} that failed, not logged but added to its exception as a suppressed one: its message is
     * the warning's; it has no stack trace.
     */
    public static final class Warning extends Exception {
        private static final long serialVersionUID = 1L;

        Warning(String message) {
            super(message, null, false, false);
        }

        @Override
        public String toString() {
            return "warning: " + getMessage();
        }
    }

    /** Per thread: the warnings of the reads in progress, innermost first. */
    private static final ThreadLocal<java.util.Deque<List<String[]>>> HELD = ThreadLocal.withInitial(java.util.ArrayDeque::new);

    /**
     * Logs {@code message} at WARNING to the {@link System.Logger} {@code logger}, or, inside a {@link #read}, once that
     * read's try has given its result: a try that is read again (the file changed under it) drops its warnings, so a load
     * that is read again warns once, from the try that gave its result; a read that fails logs none (what it warned of
     * belongs to a model or weights the caller never gets): its exception carries them as suppressed {@link Warning}s.
     */
    public static void warn(String logger, String message) {
        if (logger == null || message == null) throw new IllegalArgumentException("FileFaults.warn: " + (logger == null ? "logger" : "message") + " is null");
        List<String[]> held = HELD.get().peek();
        if (held != null) held.add(new String[] {logger, message});
        else System.getLogger(logger).log(System.Logger.Level.WARNING, message);
    }

    /** Reads of a file that changes under them before the change is reported: a replaced file reads whole the next time. */
    private static final int READ_ATTEMPTS = 3;

    private static void pause(int attempt) {
        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L * attempt);   // let the writer finish its copy
    }

    /**
     * Runs {@code body}, a save of {@code file} that leaves the previous file as it was when it fails (an {@link AtomicFiles}
     * write), so that every I/O failure is an IOException whose message starts {@code who(file): } and says the previous
     * file is unchanged, an {@link UncheckedIOException} too; a missing directory stays a {@link NoSuchFileException}; an
     * interrupt (the flag set before or during the save) is an {@link InterruptedIOException}. Other exceptions (a model
     * the format cannot hold) go on as they are. A save inside another on the same thread (a weights file's writer inside
     * {@code saveWeights}) is its body alone: the outer one names the file once.
     */
    public static void save(String who, Path file, Write body) throws IOException {
        if (file == null || SAVING.get() != null) {   // the writer's own message for a null file; an outer save speaks
            body.run();
            return;
        }
        String prefix = who + "(" + file + "): ";
        if (Thread.currentThread().isInterrupted()) throw interrupted(prefix + "not saved", "; " + UNCHANGED, null);
        try {
            SAVING.set(Boolean.TRUE);
            body.run();
        } catch (IOException | UncheckedIOException e) {
            IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            if (interruptedBy(e)) throw interrupted(prefix + "not saved", "; " + UNCHANGED, e);
            if (io instanceof NoSuchFileException n) {
                NoSuchFileException r = new NoSuchFileException(n.getFile(), n.getOtherFile(),
                        prefix + (n.getReason() == null ? "no such file or directory" : n.getReason()));
                r.initCause(e);
                throw r;
            }
            throw new IOException(prefix + why(io) + " (" + UNCHANGED + ")", e);
        } finally {
            SAVING.remove();
        }
    }

    /**
     * {@code e}'s message with its reason: the JDK's {@code AccessDeniedException} or {@code NoSuchFileException} of a
     * plain open carries only the path, so "x/log.csv" becomes "x/log.csv: permission denied" (as Python's
     * "[Errno 13] Permission denied: 'x/log.csv'"); a message with a reason stays as it is.
     */
    public static String why(IOException e) {
        if (e == null) throw new IllegalArgumentException("FileFaults.why: e is null");
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() == null) {
            String reason = switch (f) {
                case java.nio.file.AccessDeniedException a -> "permission denied";
                case NoSuchFileException n -> "no such file or directory";
                case java.nio.file.NotDirectoryException n -> "not a directory";
                case java.nio.file.FileAlreadyExistsException x -> "already exists";
                case java.nio.file.DirectoryNotEmptyException d -> "directory not empty";
                default -> f.getClass().getSimpleName();
            };
            return f.getMessage() + ": " + reason;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Set while a {@link #save} runs on this thread: a save inside it (a weights file's writer) leaves the message to it. */
    private static final ThreadLocal<Boolean> SAVING = new ThreadLocal<>();

    /** Whether the thread is interrupted, or {@code e} came from a channel an interrupt closed. */
    private static boolean interruptedBy(Throwable e) {
        if (Thread.currentThread().isInterrupted()) return true;
        for (Throwable t : causes(e)) if (t instanceof ClosedByInterruptException) return true;
        return false;
    }

    /**
     * {@code what}: "<file>: not read", ...; {@code note}: "" or "; " + {@link #UNCHANGED}. The flag is set again (a
     * ClosedByInterruptException's channel set it already).
     */
    private static InterruptedIOException interrupted(String what, String note, Throwable cause) {
        Thread.currentThread().interrupt();
        InterruptedIOException e = new InterruptedIOException(what + ": the thread was interrupted (Thread.interrupt), the file is "
                + "not at fault" + note + ". The interrupt flag stays set: clear it (Thread.interrupted()) to read or save on this "
                + "thread again");
        if (cause != null) e.initCause(cause);
        return e;
    }

    /**
     * What tells a file's versions apart: its size, modification time and identity (the file key: device and inode on
     * Unix, null where the platform has none).
     */
    public record Stamp(long size, FileTime modified, Object key) {
        /** {@code file}'s stamp now; null when it cannot be read. */
        public static Stamp of(Path file) {
            try {
                return read(file);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** {@code file}'s stamp now. */
        public static Stamp read(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.size(), a.lastModifiedTime(), a.fileKey());
        }

        @Override
        public String toString() {
            return size + " bytes, modified " + modified + (key == null ? "" : ", file " + key);
        }
    }
}
