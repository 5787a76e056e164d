import dev.jrnn.Jrnn;
import dev.jrnn.model.*;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import java.nio.file.*;
import java.util.*;

/**
 * jrnn's file of make_nested_unused_train.py's model after its 3 Adam steps (run by hand, not by the tests):
 * nested_unused_train.keras loaded, compiled Adam(0.05) / mse, 3 trainOnBatch, saved as OUT. Run with main at 23f77b24
 * (before u1 trained) it wrote nested_unused_train_main.keras, the earlier jrnn's file KerasRunOrderTest resumes; run with
 * this code it writes what check_jrnn_unused_train.py takes step 4 from in Keras. From the repo root, after test-compile:
 * java --add-modules jdk.incubator.vector -cp java/target/classes:$(cat cp.txt) MakeTrainFiles.java FIXTURE_DIR OUT
 * (cp.txt: mvn -q -o dependency:build-classpath -Dmdep.outputFile=cp.txt -pl java).
 */
public class MakeTrainFiles {
    static Tensor det(int r, int c, double a, double ph, double amp) {   // KerasRunOrderTest.det
        float[] v = new float[r * c];
        for (int i = 0; i < v.length; i++) v[i] = (float) (amp * Math.sin(a * i + ph));
        return Tensor.of(v, r, c);
    }

    public static void main(String[] args) throws Exception {
        Jrnn.setBackend("cpu");
        Model m = Models.load(Path.of(args[0]).resolve("nested_unused_train.keras"));
        m.compile(new Adam(0.05), "mse");
        Tensor x = det(6, 3, 0.9, 0.2, 1.0), y = det(6, 1, 0.3, 0.6, 1.0);
        for (int i = 0; i < 3; i++) System.out.println("loss " + m.trainOnBatch(List.of(x), List.of(y)));
        m.save(Path.of(args[1]));
    }
}
