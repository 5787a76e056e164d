package dev.jrnn.backend;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Fork#joinAll}: every fork is joined, also after one failed, and the first failure is thrown. */
class ForkTest {
    @Test
    void joinAllJoinsEveryForkAndThrowsTheFirstFailureWithTheOthersSuppressed() {
        List<String> joined = new ArrayList<>();
        IllegalStateException first = new IllegalStateException("first");
        IllegalArgumentException second = new IllegalArgumentException("second");
        List<Fork> forks = List.of(
                () -> joined.add("a"),
                () -> { joined.add("b"); throw first; },
                () -> { joined.add("c"); throw second; },
                () -> joined.add("d"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Fork.joinAll(forks));
        assertSame(first, e);
        assertEquals(List.of("a", "b", "c", "d"), joined, "every fork joined");
        assertEquals(1, e.getSuppressed().length);
        assertSame(second, e.getSuppressed()[0]);
    }

    @Test
    void anErrorWinsOverAnExceptionAndCarriesIt() {
        RuntimeException ex = new RuntimeException("ex");
        OutOfMemoryError oom = new OutOfMemoryError("oom");
        List<Fork> forks = List.of(() -> { throw ex; }, () -> { throw oom; });
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> Fork.joinAll(forks));
        assertSame(oom, e);
        assertSame(ex, e.getSuppressed()[0]);
    }
}
