package dev.jrnn.io;

import java.io.IOException;

/**
 * Why commons-compress could not open a zip held in memory (a model file read off the default file system): it wraps
 * the reason in "Error reading Zip content from SeekableInMemoryByteChannel", which names only its own channel class.
 */
public final class ZipReason {
    private ZipReason() {}

    /** The wrapped reason (its class where it has no message), else {@code e}'s own message. */
    public static String of(IOException e) {
        String why = e.getMessage();
        if (e.getCause() instanceof IOException c && String.valueOf(why).startsWith("Error reading Zip content from")) {
            return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
        }
        return why;
    }
}
