// jrnn's model.save of the Keras files of this folder (KerasCallsTest): same.keras and renamed.keras loaded, saved as
// jrnn_<n>.keras and jrnn_<n>.h5 (for check_jrnn_saves.py, which loads them in Keras 3.15.1). Run from this folder with
// jrnn on the class path: java --add-modules jdk.incubator.vector -cp "<jrnn classes and dependencies>" SaveDictBack.java
import dev.jrnn.Jrnn;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import java.nio.file.Path;
import java.util.List;

public class SaveDictBack {
    public static void main(String[] a) throws Exception {
        Jrnn.setBackend("cpu");
        for (String n : List.of("same", "renamed")) {
            try (Model m = Models.load(Path.of(n + ".keras"))) {
                m.save(Path.of("jrnn_" + n + ".keras"));
                m.save(Path.of("jrnn_" + n + ".h5"));
            }
        }
    }
}
