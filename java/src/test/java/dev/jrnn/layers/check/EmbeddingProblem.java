package dev.jrnn.layers.check;

import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Gradient-check problem for Embedding: ids [B, T] (not differentiable; repeated ids and zeros
 * included) and the table [vocab, D]. The table's gradient is a scatter-add of the output gradient.
 */
final class EmbeddingProblem extends GradCheck.Problem {
    final int b, t, vocab, dim;
    final Layer layer;
    final GradCheck.Var ids, table;

    EmbeddingProblem(String layerName, int B, int T, int vocab, int dim, long seed, Layer layer) {
        super(layerName, "Embedding(" + vocab + ", " + dim + ") ids[" + B + "," + T + "] seed=" + seed);
        this.b = B;
        this.t = T;
        this.vocab = vocab;
        this.dim = dim;
        this.layer = layer;
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] id = new double[B * T];
        for (int i = 0; i < id.length; i++) id[i] = rnd.nextInt(vocab);
        id[0] = 0;
        id[id.length - 1] = id[1];   // a repeated id: its gradient rows add up
        ids = add("ids", id, false, B, T);
        table = add("embeddings", GradCheck.uniform(rnd, vocab * dim, 1), true, vocab, dim);
        if (layer != null) {
            layer.build(List.of(ids.sampleShape()));
            List<Param> ps = layer.params();
            assertEquals(1, ps.size(), () -> layer + ": number of parameters");
            assertEquals("embeddings", ps.get(0).name());
            assertArrayEquals(table.shape, ps.get(0).shape());
        }
    }

    @Override
    List<double[]> reference(Ref.Tape tape) {
        return List.of(Ref.embedding(ids.v, table.v, vocab, dim));
    }

    @Override
    Map<GradCheck.Var, double[]> referenceGrads(List<double[]> r) {
        double[] g = new double[vocab * dim];
        for (int n = 0; n < ids.v.length; n++) {
            for (int k = 0; k < dim; k++) g[(int) ids.v[n] * dim + k] += r.get(0)[n * dim + k];
        }
        Map<GradCheck.Var, double[]> m = new IdentityHashMap<>();
        m.put(table, g);
        return m;
    }

    @Override
    GradCheck.JrnnOut jrnn(List<double[]> r) {
        if (layer == null) return null;
        GradCheck.JrnnOut o = GradCheck.runLayer(layer, List.of(table), List.of(ids), null, null,
                List.of(new int[] {b, t, dim}), r);
        assertEquals(null, o.grads().get(ids), "Embedding: the ids get no gradient");
        return o;
    }
}
