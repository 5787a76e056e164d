package dev.jrnn.edges;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.provider.Arguments;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the per-feature bad-input tests share: a named case (a call and the words its refusal must hold), the check that
 * the call throws an IllegalArgumentException naming them, and the check that no case is listed twice.
 */
final class RefusalCases {
    private RefusalCases() {}

    interface Action {
        void run() throws Exception;
    }

    record Case(String name, Action action, List<String> words) {
        @Override
        public String toString() { return name; }
    }

    /** {@code call} throws an IllegalArgumentException whose message holds every one of {@code words}. */
    static void assertRefused(String name, Executable call, List<String> words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, name);
        for (String w : words) assertTrue(e.getMessage().contains(w), name + ": '" + w + "' not in: " + e.getMessage());
    }

    static void assertRefused(Case c) { assertRefused(c.name(), c.action()::run, c.words()); }

    /** Every case is named once (a copied line would test nothing new). */
    static void assertDistinct(List<String> names) {
        assertEquals(names.size(), names.stream().distinct().count(), "case names " + names);
    }

    /** {@link #assertDistinct(List)} of parameterized cases whose first argument is the name. */
    static void assertDistinctArguments(Stream<Arguments> cases) {
        assertDistinct(cases.map(a -> String.valueOf(a.get()[0])).toList());
    }
}
