package dev.jrnn.model;

import java.util.Set;

/**
 * A callback of jrnn's own that says which keys it adds to an epoch's logs (none for most), so that fit can check a
 * {@link ModelCheckpoint}'s filepath fields before training; after any other callback, which may add any key, the
 * checkpoint checks its fields only when it formats them.
 */
interface KnownLogs {
    /** The keys this callback adds to every epoch's logs. */
    Set<String> logsAdded();
}
