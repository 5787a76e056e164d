package dev.jrnn.io;

import java.util.concurrent.Callable;

/** For tests in other packages: runs something once at a point of a {@link FileFaults} read on this thread (a rename there). */
public final class FileFaultsSeam {
    private FileFaultsSeam() { }

    /**
     * {@code body}'s result, with {@code once} run the first time a read on this thread reaches {@code point} ("stamped":
     * after the path's stamp, before the open; "opened": after the open, before the read's body).
     */
    public static <T> T at(String point, Runnable once, Callable<T> body) throws Exception {
        boolean[] ran = {false};
        FileFaults.AT.set(p -> {
            if (p.equals(point) && !ran[0]) {
                ran[0] = true;
                once.run();
            }
        });
        try {
            T r = body.call();
            if (!ran[0]) throw new AssertionError("no read reached '" + point + "'");
            return r;
        } finally {
            FileFaults.AT.remove();
        }
    }

    /** Moves {@code from} over {@code to} atomically, as a save's rename (unchecked, for {@link #at}'s runnable). */
    public static void rename(java.nio.file.Path from, java.nio.file.Path to) {
        try {
            java.nio.file.Files.move(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
