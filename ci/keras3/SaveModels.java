// jrnn models of every kind the .keras export writes, each saved with its inputs and jrnn's predictions (ci/keras3/run.sh)
import dev.jrnn.Jrnn;
import dev.jrnn.layers.*;
import dev.jrnn.model.*;
import dev.jrnn.tensor.Tensor;
import dev.jrnn.data.Npy;
import java.nio.file.*;
import java.util.*;

public class SaveModels {
    static Path out = Path.of(System.getProperty("out", "/tmp/jrnn-keras3/models"));
    static void save(Model m, String name, List<Tensor> xs) throws Exception {
        m.save(out.resolve(name + ".keras"));
        m.saveWeights(out.resolve(name + "_w.weights.h5"));
        try {   // tf.keras 2's legacy layout too, where the writer takes the model
            m.save(out.resolve(name + ".h5"));
            m.saveWeights(out.resolve(name + "_w.h5"));
        } catch (IllegalArgumentException e) {
            System.out.println(name + ".h5 refused: " + e.getMessage());
        }
        for (int i = 0; i < xs.size(); i++) Npy.write(out.resolve(name + "_x" + i + ".npy"), xs.get(i));
        List<Tensor> ys = xs.size() == 1 ? List.of(m.predict(xs.get(0))) : m.predictAll(xs);
        for (int i = 0; i < ys.size(); i++) Npy.write(out.resolve(name + "_y" + i + ".npy"), ys.get(i));
        System.out.println("wrote " + name);
    }
    static Tensor rnd(Random r, int... shape) {
        int n = 1; for (int s : shape) n *= s;
        float[] f = new float[n]; for (int i = 0; i < n; i++) f[i] = (float) r.nextGaussian();
        return Tensor.of(f, shape);
    }
    /** Every weight drawn again (moving statistics positive), so that no layer's output is trivial. */
    static void scramble(Model m, Random r) {
        List<Tensor> ws = new ArrayList<>();
        for (Tensor w : m.getWeights()) {
            float[] f = new float[w.data().length];
            for (int i = 0; i < f.length; i++) f[i] = (float) (0.5 * r.nextGaussian()) + (w.data()[0] == 1f ? 1.2f : 0f);
            ws.add(Tensor.of(f, w.shape()));
        }
        m.setWeights(ws);
    }
    public static void main(String[] a) throws Exception {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        Random r = new Random(1);
        // 1 Sequential LSTM/GRU/Dense
        try (Sequential m = new Sequential(Input.shape(5, 3), new LSTM(4).returnSequences(true), new GRU(3).returnSequences(true),
                new SimpleRNN(2), new Dense(2).activation("softmax"))) {
            save(m, "seq", List.of(rnd(r, 2, 5, 3)));
        }
        // 2 functional: two inputs + Concatenate
        Input ia = Input.shape(4, 3).name("in_a"), ib = Input.shape(4, 2).name("in_b");
        Node cat = new Concatenate().name("cat").apply(ia, ib);
        Node l = new LSTM(5).name("lstm").apply(cat);
        Node o = new Dense(1).name("out").apply(l);
        try (Model m = new Model(List.of(ia, ib), List.of(o)).name("func2")) {
            save(m, "func2", List.of(rnd(r, 2, 4, 3), rnd(r, 2, 4, 2)));
        }
        // 3 Bidirectional
        try (Sequential m = new Sequential(Input.shape(6, 3), new Bidirectional(new LSTM(4).returnSequences(true)).name("bi"),
                new Bidirectional(new GRU(3)).mergeMode("sum").name("bi2"), new Dense(2))) {
            save(m, "bidi", List.of(rnd(r, 2, 6, 3)));
        }
        // 4 TimeDistributed(Dense)
        try (Sequential m = new Sequential(Input.shape(5, 3), new GRU(4).returnSequences(true), new TimeDistributed(new Dense(2)).name("td"))) {
            save(m, "td", List.of(rnd(r, 2, 5, 3)));
        }
        // 5 Embedding(mask_zero) + Masking
        Input ids = Input.shape(6).name("ids");
        Input feats = Input.shape(6, 2).name("feats");
        Node e = new Embedding(9, 3).maskZero(true).name("emb").apply(ids);
        Node mk = new Masking(0.0).name("mask").apply(feats);
        Node both = new Concatenate().name("cat").apply(e, mk);
        Node h = new LSTM(4).name("enc").apply(both);
        Node y = new Dense(2).name("head").apply(h);
        try (Model m = new Model(List.of(ids, feats), List.of(y)).name("emb")) {
            Tensor xi = Tensor.of(new float[] {1, 4, 2, 0, 0, 0, 3, 3, 8, 5, 1, 0}, 2, 6);
            float[] xf = new float[24];
            for (int i = 0; i < 20; i++) xf[i] = (float) Math.sin(i * 0.7);
            save(m, "emb", List.of(xi, Tensor.of(xf, 2, 6, 2)));
        }
        // 5b Sequential Embedding mask_zero -> LSTM
        try (Sequential m = new Sequential(Input.shape(6), new Embedding(9, 3).maskZero(true), new LSTM(3), new Dense(1))) {
            save(m, "seqemb", List.of(Tensor.of(new float[] {1, 4, 2, 0, 0, 0, 3, 3, 8, 5, 1, 0}, 2, 6)));
        }
        // 6 compiled with Adam + metrics
        try (Sequential m = new Sequential(Input.shape(4, 2), new LSTM(3), new Dense(2).activation("softmax"))) {
            m.compile(new dev.jrnn.optim.Adam(0.01f), "categorical_crossentropy", "accuracy", "mae");
            save(m, "compiled", List.of(rnd(r, 2, 4, 2)));
        }
        try (Sequential m = new Sequential(Input.shape(4, 2), new LSTM(3), new Dense(1))) {
            m.compile("rmsprop", "mse", "mae");
            save(m, "compiled2", List.of(rnd(r, 2, 4, 2)));
        }
        try (Sequential m = new Sequential(Input.shape(4, 2), new LSTM(3), new Dense(1))) {
            m.compile(new dev.jrnn.optim.SGD(0.1), "mse");
            save(m, "compiled3", List.of(rnd(r, 2, 4, 2)));
        }
        try (Sequential m = new Sequential(Input.shape(4, 2), new LSTM(3), new Dense(1))) {
            m.compile(new dev.jrnn.optim.AdamW(0.01), "mse");
            save(m, "compiledw", List.of(rnd(r, 2, 4, 2)));
        }
        // 7 weightless layers at the end, and frozen
        try (Sequential m = new Sequential(Input.shape(5, 3), new LSTM(4).returnSequences(true), new Dropout(0.1), new Activation("relu"), new Flatten())) {
            save(m, "tailempty", List.of(rnd(r, 2, 5, 3)));
        }
        try (Sequential m = new Sequential(Input.shape(5, 3), new LSTM(4).trainable(false).returnSequences(true), new Dense(2))) {
            save(m, "frozen", List.of(rnd(r, 2, 5, 3)));
        }
        // convolution, pooling, normalization, padding and activation layers (the .h5 writer's second set)
        try (Sequential m = new Sequential(Input.shape(12, 3), new Conv1D(4, 3).padding("causal").dilationRate(2).name("conv"),
                new LayerNormalization(), new BatchNormalization(), new MaxPooling1D(2), new ZeroPadding1D(1), new Cropping1D(1),
                new UpSampling1D(2), new AveragePooling1D(2), new LeakyReLU(0.2), new PReLU(), new ELU(0.7), new ReLU(),
                new GaussianNoise(0.3), new GaussianDropout(0.2), new SpatialDropout1D(0.2), new Permute(2, 1), new Reshape(6, 4),
                new Softmax(), new GRU(3).returnSequences(true), new GlobalMaxPooling1D())) {
            scramble(m, r);
            save(m, "convs", List.of(rnd(r, 2, 12, 3)));
        }
        // attention layers and the other merges
        Input qa = Input.shape(4, 6).name("q"), va = Input.shape(5, 6).name("v");
        Node at = new Attention().useScale(true).name("att").apply(qa, va);
        Node atc = new Attention().useScale(true).scoreMode("concat").name("attc").apply(qa, va);
        Node ad = new AdditiveAttention().name("add_att").apply(qa, va);
        Node sub = new Subtract().apply(at, ad);
        Node mx = new Maximum().apply(sub, atc);
        Node mn = new Minimum().apply(mx, qa);
        Node dt = new Dot(2).name("dot").apply(mn, qa);
        Node gp = new GlobalAveragePooling1D().apply(dt);
        try (Model m = new Model(List.of(qa, va), List.of(gp)).name("atts")) {
            scramble(m, r);
            save(m, "atts", List.of(rnd(r, 2, 4, 6), rnd(r, 2, 5, 6)));
        }
        Input qm = Input.shape(4, 6).name("q"), vm = Input.shape(5, 6).name("v");
        try (Model m = new Model(List.of(qm, vm), List.of(new MultiHeadAttention(2, 3).name("mha").apply(qm, vm))).name("mha")) {
            scramble(m, r);
            save(m, "mha", List.of(rnd(r, 2, 4, 6), rnd(r, 2, 5, 6)));
        }
        // dropout/recurrent_dropout/seeded LSTM
        try (Sequential m = new Sequential(Input.shape(5, 3), new LSTM(4).dropout(0.2).recurrentDropout(0.1).seed(7), new Dense(2))) {
            save(m, "drop", List.of(rnd(r, 2, 5, 3)));
        }
        // recurrent calls with initial states on masked inputs: masked (the writer passes Keras its mask as ops) and, on the
        // Masking branch, unmasked as Keras 3 runs a call without mask= (applyUnmasked; no .h5: tf.keras 2 would mask it)
        Input tok = Input.shape(5).name("tok"), xf = Input.shape(5, 2).name("xf"), h0 = Input.shape(3).name("h0"), c0 = Input.shape(3).name("c0");
        Node em = new Embedding(7, 4).maskZero(true).apply(tok), xm = new Masking().apply(xf);
        Node da = new LSTM(3).returnSequences(true).apply(List.of(new Concatenate().apply(em, xm), h0, c0));   // the OR of two masks
        Node db = new Bidirectional(new GRU(3).returnSequences(true)).mergeMode("sum").apply(List.of(xm, h0, h0));
        Node dc = new SimpleRNN(3).returnSequences(true).applyUnmasked(List.of(xm, c0));
        try (Model m = new Model(List.of(tok, xf, h0, c0), List.of(new Dense(2).apply(new Concatenate().apply(da, db, dc)))).name("initmask")) {
            scramble(m, r);
            float[] t = {1, 2, 3, 0, 0, 0, 0, 4, 5, 6};
            Tensor xfv = rnd(r, 2, 5, 2);
            float[] f = xfv.data().clone();
            f[0] = f[1] = 0; f[18] = f[19] = 0; f[8] = f[9] = 0;   // leading, inner and trailing masked steps
            save(m, "initmask", List.of(Tensor.of(t, 2, 5), Tensor.of(f, 2, 5, 2), rnd(r, 2, 3), rnd(r, 2, 3)));
        }
        // masks Keras 3 records in a node (GlobalAveragePooling1D, LSTM) from a Concatenate named "concatenate", merges,
        // attention layers; and a masked call with initial states beside one such node. Left implicit, Keras rebuilt them
        // while loading under names of the file ("concatenate", "not_equal") and load_model failed (outside tester att6)
        Input mt = Input.shape(6).name("mt");
        Node me = new Embedding(9, 4).maskZero(true).apply(mt), u = new Embedding(9, 2).apply(mt);
        Node d1 = new Dense(3).apply(me), d2 = new Dense(3).apply(me);
        List<Node> pooled = new ArrayList<>();
        pooled.add(new GlobalAveragePooling1D().apply(new Concatenate().name("concatenate").apply(d1, d2)));
        pooled.add(new LSTM(2).apply(new Concatenate().apply(d1, u)));
        for (Merge g : List.of(new Add().name("add"), new Subtract(), new Multiply().name("multiply"), new Average(), new Maximum(), new Minimum())) {
            pooled.add(new GlobalAveragePooling1D().apply(g.apply(d1, d2)));
        }
        Node att = new Attention().name("attention").apply(d1, d2);
        pooled.add(new GlobalAveragePooling1D().apply(new AdditiveAttention().apply(att, d1)));
        try (Model m = new Model(mt, new Dense(2).apply(new Concatenate().apply(pooled))).name("maskops")) {
            scramble(m, r);
            save(m, "maskops", List.of(Tensor.of(new float[] {1, 2, 3, 0, 0, 0, 4, 5, 6, 7, 8, 1, 0, 2, 3, 0, 1, 0}, 3, 6)));
        }
        // masks concatenated along the steps into a GRU: written as Keras' ops (axis 1); left to Keras to rebuild, its
        // concatenate op clashed with the layer's default name "concatenate" (outside tester auditlayers)
        Input s1 = Input.shape(5).name("s1"), s2 = Input.shape(5).name("s2");
        Node steps = new Concatenate(1).apply(new Embedding(10, 3).maskZero(true).apply(s1), new Embedding(10, 3).maskZero(true).apply(s2));
        try (Model m = new Model(List.of(s1, s2), List.of(new GRU(2).apply(steps))).name("catsteps")) {
            scramble(m, r);
            save(m, "catsteps", List.of(Tensor.of(new float[] {5, 3, 3, 6, 7, 1, 4, 5, 0, 0}, 2, 5), Tensor.of(new float[] {5, 0, 3, 6, 0, 0, 0, 5, 2, 0}, 2, 5)));
        }
        Input it = Input.shape(6).name("it");
        Node ie = new Embedding(9, 4).maskZero(true).apply(it);
        Node ih = new Dense(3).apply(new GlobalAveragePooling1D().apply(ie));
        try (Model m = new Model(it, new Dense(1).apply(new Concatenate().apply(new LSTM(3).apply(List.of(ie, ih, ih)), ih))).name("maskinit")) {
            scramble(m, r);
            save(m, "maskinit", List.of(Tensor.of(new float[] {1, 2, 3, 0, 0, 0, 4, 5, 6, 7, 8, 1, 0, 2, 3, 0, 1, 0}, 3, 6)));
        }
    }
}
