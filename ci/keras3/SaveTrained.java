// jrnn models trained 3 steps and saved (.keras and .h5), with the weights after a 4th step: Keras' next step must give them (ci/keras3/run.sh)
import dev.jrnn.Jrnn;
import dev.jrnn.layers.*;
import dev.jrnn.model.*;
import dev.jrnn.tensor.Tensor;
import dev.jrnn.data.Npy;
import java.nio.file.*;
import java.util.*;
public class SaveTrained {
    public static void main(String[] a) throws Exception {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(11);
        Random r = new Random(5);
        float[] xf = new float[4 * 5 * 3], yf = new float[4 * 2];
        for (int i = 0; i < xf.length; i++) xf[i] = (float) r.nextGaussian();
        for (int i = 0; i < yf.length; i++) yf[i] = (float) r.nextGaussian();
        Tensor x = Tensor.of(xf, 4, 5, 3), y = Tensor.of(yf, 4, 2);
        String[] opts = {"adam", "sgdm", "rmsprop", "nadam", "adamw", "adagrad"};
        for (String o : opts) {
            try (Sequential m = new Sequential(Input.shape(5, 3), new LSTM(4).returnSequences(true), new GRU(3), new Dense(2))) {
                dev.jrnn.optim.Optimizer opt = switch (o) {
                    case "adam" -> new dev.jrnn.optim.Adam(0.01);
                    case "sgdm" -> new dev.jrnn.optim.SGD(0.05).momentum(0.9);
                    case "rmsprop" -> new dev.jrnn.optim.RMSprop(0.01);
                    case "nadam" -> new dev.jrnn.optim.Nadam(0.01);
                    case "adamw" -> new dev.jrnn.optim.AdamW(0.01);
                    default -> new dev.jrnn.optim.Adagrad(0.05);
                };
                m.compile(opt, "mse");
                for (int s = 0; s < 3; s++) m.trainOnBatch(x, y);
                m.save(Path.of(System.getProperty("out", "/tmp/jrnn-keras3/trained") + "/" + o + ".keras"));
                // the legacy .h5 too (Keras 3 compiles no AdamW from it: tf.keras 2's new-optimizer config)
                if (!o.equals("adamw")) m.save(Path.of(System.getProperty("out", "/tmp/jrnn-keras3/trained") + "/" + o + ".h5"));
                m.trainOnBatch(x, y);
                List<Tensor> w = m.getWeights();
                for (int i = 0; i < w.size(); i++) Npy.write(Path.of(System.getProperty("out", "/tmp/jrnn-keras3/trained") + "/" + o + "_after_" + i + ".npy"), w.get(i));
            }
        }
        // MultiHeadAttention (query, value) into a Dense, RMSprop(momentum, centered), as .h5: Keras 3 resumes it
        dev.jrnn.model.Input q = dev.jrnn.model.Input.shape(4, 3).name("q"), v = dev.jrnn.model.Input.shape(2, 3).name("v");
        float[] qf = new float[4 * 4 * 3], vf = new float[4 * 2 * 3], mf = new float[4 * 4 * 2];
        for (int i = 0; i < qf.length; i++) qf[i] = (float) r.nextGaussian();
        for (int i = 0; i < vf.length; i++) vf[i] = (float) r.nextGaussian();
        for (int i = 0; i < mf.length; i++) mf[i] = (float) r.nextGaussian();
        List<Tensor> mx = List.of(Tensor.of(qf, 4, 4, 3), Tensor.of(vf, 4, 2, 3));
        List<Tensor> my = List.of(Tensor.of(mf, 4, 4, 2));
        try (Model m = new Model(List.of(q, v), List.of(new Dense(2).name("out").apply(new MultiHeadAttention(2, 2).name("mha").apply(q, v))))) {
            m.compile(new dev.jrnn.optim.RMSprop(0.01).momentum(0.5).centered(true), "mse");
            for (int s = 0; s < 3; s++) m.trainOnBatch(mx, my);
            String out = System.getProperty("out", "/tmp/jrnn-keras3/trained");
            m.save(Path.of(out + "/mha.h5"));
            m.trainOnBatch(mx, my);
            List<Tensor> w = m.getWeights();
            for (int i = 0; i < w.size(); i++) Npy.write(Path.of(out + "/mha_after_" + i + ".npy"), w.get(i));
            Npy.write(Path.of(out + "/mha_x0.npy"), mx.get(0));
            Npy.write(Path.of(out + "/mha_x1.npy"), mx.get(1));
            Npy.write(Path.of(out + "/mha_y.npy"), my.get(0));
        }
        // (session 22) Keras' own file of nested models (keras3_real/nest_fn.keras, read flat with Keras' optimizer state),
        // one more step, saved: Keras resumes jrnn's (flat) file
        Path real = Path.of("java/src/test/resources/dev/jrnn/io/keras/keras3_real");
        try (Model m = Models.load(real.resolve("nest_fn.keras"))) {
            String out = System.getProperty("out", "/tmp/jrnn-keras3/trained");
            Tensor nx = Npy.read(real.resolve("nest_fn_x0.npy")), ny = Npy.read(real.resolve("nest_fn_y.npy"));
            m.trainOnBatch(nx, ny);
            m.save(Path.of(out + "/nest.keras"));
            m.trainOnBatch(nx, ny);
            List<Tensor> w = m.getWeights();
            for (int i = 0; i < w.size(); i++) Npy.write(Path.of(out + "/nest_after_" + i + ".npy"), w.get(i));
            Npy.write(Path.of(out + "/nest_x.npy"), nx);
            Npy.write(Path.of(out + "/nest_y.npy"), ny);
        }
        Npy.write(Path.of(System.getProperty("out", "/tmp/jrnn-keras3/trained") + "/x.npy"), x);
        Npy.write(Path.of(System.getProperty("out", "/tmp/jrnn-keras3/trained") + "/y.npy"), y);
    }
}
