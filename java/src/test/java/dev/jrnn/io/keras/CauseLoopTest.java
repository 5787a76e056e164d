package dev.jrnn.io.keras;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The io.keras walks down a cause chain (jhdf's opaque-type failure, its innermost reason) end on a chain that loops
 * back on itself (a's cause b, b's a): each looks at a throwable once, through FileFaults.causes. Before, both spun
 * forever on such a chain (this test then timed out).
 */
class CauseLoopTest {
    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theWalksEndOnALoopingChain() {
        RuntimeException a = new RuntimeException("a"), b = new RuntimeException("b", a);
        a.initCause(b);
        assertFalse(JhdfOpaqueTypes.failedOn(a));
        assertEquals("b", Hdf5Links.jhdfReason(a), "the innermost message before the chain comes back");
        assertEquals("inner", Hdf5Links.jhdfReason(new RuntimeException("outer", new IllegalStateException("inner"))));
        assertEquals("outer", Hdf5Links.jhdfReason(new RuntimeException("outer", new IllegalStateException())), "a cause without a message ends the walk");
    }
}
