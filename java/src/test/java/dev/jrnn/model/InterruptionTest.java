package dev.jrnn.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InterruptedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interruption.caused walks a failure's causes through FileFaults.causes, the one bounded walk: the whole chain, each
 * throwable once, not into another thread's failure. Before, it kept its own walk cut at 64 causes, so an interrupt
 * deeper down (a callback's failure wrapped by layers of libraries) read as a real failure.
 */
class InterruptionTest {
    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void causedWalksTheWholeChainOnceAndNotIntoAnotherThreadsFailure() {
        RuntimeException deep = new RuntimeException(new InterruptedIOException("a save refused on an interrupted thread"));
        for (int k = 0; k < 100; k++) deep = new RuntimeException("wrap " + k, deep);
        assertTrue(Interruption.caused(deep), "an interrupt 101 causes down");

        RuntimeException a = new RuntimeException("a"), b = new RuntimeException("b", a);
        a.initCause(b);
        assertFalse(Interruption.caused(a), "a looping chain without an interrupt ends");

        assertFalse(Interruption.caused(new RuntimeException(new ExecutionException(new InterruptedException()))), "another thread's");
        assertFalse(Interruption.caused(new CompletionException(new InterruptedException())), "another thread's");
        assertTrue(Interruption.caused(new IllegalStateException(new InterruptedException())));
        assertFalse(Interruption.caused(new java.net.SocketTimeoutException()), "a timeout is no interrupt");
    }
}
