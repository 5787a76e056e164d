package dev.jrnn.layers.check;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Bidirectional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

/**
 * Bidirectional(SimpleRNN | LSTM | GRU) with merge modes concat, sum, mul, ave and none, over mixed
 * returnSequences / returnState / initial states / mask / tbptt, against the float64 reference.
 */
class BidirectionalGradTest {

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    @AfterAll
    static void printStats() {
        GradCheck.writeStats("BidirectionalGradTest (max relative errors)");
    }

    static List<Object[]> cases() { return BidiProblem.cases(); }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void bidirectionalGradients(Cases.RnnCase c, String merge) {
        Bidirectional layer = wrap(c).mergeMode(merge);
        GradCheck.check(new BidiProblem("Bidirectional(" + c.layerName() + ")", c, merge, layer), c.seed() + 11);
    }

    /** The case's layer in a Bidirectional; one going backwards gets its forwards twin as the backward layer (Keras 3 refuses the copy). */
    static Bidirectional wrap(Cases.RnnCase c) {
        if (!c.goBackwards()) return new Bidirectional(RecurrentGradTest.layer(c));
        Cases.RnnCase twin = new Cases.RnnCase(c.cell(), c.act(), c.useBias(), c.returnSequences(), c.returnState(), c.initState(),
                c.mask(), false, c.tbptt(), c.batch(), c.steps(), c.inputs(), c.units(), c.seed());
        return new Bidirectional(RecurrentGradTest.layer(c), RecurrentGradTest.layer(twin));
    }

    static List<Object[]> explicitBackward() { return BidiProblem.explicitBackwardCases(); }

    /** new Bidirectional(forward, backwardLayer) with a backward layer of its own (possibly another cell). */
    @ParameterizedTest(name = "{0} backward {1} {2}")
    @MethodSource("explicitBackward")
    void explicitBackwardLayerGradients(Cases.RnnCase c, Ref.Cell backwardCell, String merge) {
        Cases.RnnCase bc = new Cases.RnnCase(backwardCell, c.act(), c.useBias(), c.returnSequences(), c.returnState(),
                c.initState(), c.mask(), !c.goBackwards(), c.tbptt(), c.batch(), c.steps(), c.inputs(), c.units(), c.seed());
        Bidirectional layer = new Bidirectional(RecurrentGradTest.layer(c), RecurrentGradTest.layer(bc)).mergeMode(merge);
        GradCheck.check(new BidiProblem("Bidirectional(fw, bw)", c, backwardCell, merge, layer), c.seed() + 13);
    }
}
