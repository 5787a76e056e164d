package dev.jrnn;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What a {@code java.util.logging} logger records at WARNING and above while some code runs, kept out of the test
 * output: the tests of jrnn's warnings (the importers', the trainer's) read them from here.
 */
public final class LogCapture {
    private LogCapture() {}

    /** Code that may throw. */
    public interface Action {
        void run() throws Exception;
    }

    /** The records logged to {@code logger} at WARNING and above while {@code run} runs; the logger is restored after. */
    public static List<LogRecord> records(String logger, Action run) throws Exception {
        Logger log = Logger.getLogger(logger);
        List<LogRecord> out = new ArrayList<>();
        Handler keep = new Handler() {
            @Override public void publish(LogRecord r) { out.add(r); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        Level level = log.getLevel();
        boolean parents = log.getUseParentHandlers();
        log.setLevel(Level.WARNING);
        log.setUseParentHandlers(false);
        log.addHandler(keep);
        try {
            run.run();
        } finally {
            log.removeHandler(keep);
            log.setUseParentHandlers(parents);
            log.setLevel(level);
        }
        return out;
    }

    /** The messages of {@link #records}. */
    public static List<String> warnings(String logger, Action run) throws Exception {
        return records(logger, run).stream().map(LogRecord::getMessage).toList();
    }
}
