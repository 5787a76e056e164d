// jrnn's predictions on the generated Keras fixtures that have no outputs of their own (ci/keras3/recheck_fixtures.py):
// the inputs the import tests feed them (KerasImportTest.inputs, seeded by the file name, as checkAgainstReference does)
// and what jrnn predicts, which those tests hold to the float64 KerasReference. In the tests' package, for those helpers.
package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

public class PredictFixtures {
    public static void main(String[] args) throws Exception {
        Jrnn.setBackend("cpu");
        Path dir = Path.of(args[0]), out = Path.of(args[1]);
        Files.createDirectories(out);
        for (int a = 2; a < args.length; a++) {
            String f = args[a];
            String stem = f.replaceAll("\\.(keras|h5)$", "") + (f.endsWith(".keras") ? "_keras" : "_h5");
            try (Model m = Models.load(dir.resolve(f))) {
                KerasReference ref = new KerasReference(dir.resolve(f));
                List<Tensor> xs = KerasImportTest.inputs(ref.inputShapes(), ref.idVocabulary(), f.hashCode());
                List<Tensor> ys = m.predictAll(xs, 32, null);
                for (int i = 0; i < xs.size(); i++) Npy.write(out.resolve(stem + "_x" + i + ".npy"), xs.get(i));
                for (int i = 0; i < ys.size(); i++) Npy.write(out.resolve(stem + "_y" + i + ".npy"), ys.get(i));
                System.out.println("wrote " + stem);
            } catch (Exception | AssertionError e) {
                System.out.println("skipped " + f + ": " + e);
            }
        }
    }
}
