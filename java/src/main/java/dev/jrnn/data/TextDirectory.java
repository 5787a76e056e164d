package dev.jrnn.data;

import dev.jrnn.backend.GlobalRandom;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.RandomAccess;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Keras' {@code keras.utils.text_dataset_from_directory}: the {@code .txt} files under a folder, labelled by the class
 * subfolder they are in, found, ordered, shuffled and split into training and validation subsets as Keras 3 does it (the
 * same seed gives the same files in each subset). The texts stay on disk: {@link #texts()} reads a file when asked for it
 * and {@link #dataset(TextVectorization)} when a batch needs it, so a corpus larger than memory trains.
 * <pre>{@code
 * TextDirectory.Options o = new TextDirectory.Options().validationSplit(0.2).seed(1337);
 * TextDirectory train = TextDirectory.read(Path.of("aclImdb/train"), o.subset("training"));
 * TextDirectory val = TextDirectory.read(Path.of("aclImdb/train"), o.subset("validation"));
 * TextVectorization vectorize = new TextVectorization().maxTokens(20000).outputSequenceLength(500);
 * vectorize.adapt(train.texts());                       // reads the training files once
 * model.fit(train.dataset(vectorize), new FitOptions().epochs(3).validationData(val.dataset(vectorize)));
 * }</pre>
 */
public final class TextDirectory {

    /** Keras' arguments of {@code text_dataset_from_directory}, with its defaults. */
    public static final class Options {
        private boolean inferred = true;
        private int[] labels;
        private String labelMode = "int";
        private List<String> classNames;
        private Integer batchSize = 32;
        private Integer maxLength;
        private boolean shuffle = true;
        private Long seed;
        private double validationSplit;
        private String subset;
        private boolean followLinks;
        private boolean verbose = true;

        /** Keras' defaults: inferred labels, label mode "int", batch size 32, shuffled. */
        public Options() {}

        private Options copy() {
            Options o = new Options();
            o.inferred = inferred;
            o.labels = labels;
            o.labelMode = labelMode;
            o.classNames = classNames;
            o.batchSize = batchSize;
            o.maxLength = maxLength;
            o.shuffle = shuffle;
            o.seed = seed;
            o.validationSplit = validationSplit;
            o.subset = subset;
            o.followLinks = followLinks;
            o.verbose = verbose;
            return o;
        }

        /** Keras' {@code labels=None}: no labels, every {@code .txt} under the folder read, its structure ignored. */
        public Options noLabels() { return labels((String) null); }

        /** Keras' {@code labels}: "inferred" (the default: the class subfolders) or null (as {@link #noLabels()}). */
        public Options labels(String mode) {
            if (mode != null && !mode.equals("inferred")) {
                throw new IllegalArgumentException("TextDirectory: labels: expected \"inferred\", noLabels() or a list of integer labels, got \"" + mode + "\"");
            }
            Options o = copy();
            o.inferred = mode != null;
            o.labels = null;
            return o;
        }

        /**
         * Keras' {@code labels=[...]}: one integer label per file, in the files' sorted order (the folder's structure
         * is then ignored).
         */
        public Options labels(int... labels) {
            if (labels == null) throw new IllegalArgumentException("TextDirectory: labels: expected one integer label per file, got null");
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0) throw new IllegalArgumentException("TextDirectory: labels: expected integer labels >= 0, got " + labels[i] + " at index " + i);
            }
            Options o = copy();
            o.inferred = false;
            o.labels = labels.clone();
            return o;
        }

        /**
         * Keras' {@code label_mode}: "int" (the default; (n) class indices), "categorical" ((n, classes) one-hot),
         * "binary" ((n, 1) of 0 and 1; two classes) or null (no labels).
         */
        public Options labelMode(String mode) {
            if (mode != null && !List.of("int", "categorical", "binary").contains(mode)) {
                throw new IllegalArgumentException("TextDirectory: labelMode: expected \"int\", \"categorical\", \"binary\" or null, got \"" + mode + "\"");
            }
            Options o = copy();
            o.labelMode = mode;
            return o;
        }

        /** Keras' {@code class_names}: the class subfolders to read, in label order (a subset of them; by default all, sorted). */
        public Options classNames(List<String> names) {
            if (names != null) {
                if (names.isEmpty()) throw new IllegalArgumentException("TextDirectory: classNames: expected at least one class subfolder name (or null: every subfolder), got []");
                if (names.stream().anyMatch(java.util.Objects::isNull)) throw new IllegalArgumentException("TextDirectory: classNames: a name is null: " + names);
                if (new HashSet<>(names).size() != names.size()) throw new IllegalArgumentException("TextDirectory: classNames: a name appears twice: " + names);
            }
            Options o = copy();
            o.classNames = names == null ? null : List.copyOf(names);
            return o;
        }

        /** Keras' {@code batch_size}: 32 by default; null gives single samples. */
        public Options batchSize(Integer n) {
            if (n != null && n < 1) throw new IllegalArgumentException("TextDirectory: batchSize: expected at least 1 (or null: unbatched), got " + n);
            Options o = copy();
            o.batchSize = n;
            return o;
        }

        /** Keras' {@code max_length}: a text keeps its first {@code n} bytes (TensorFlow's {@code substr}); null keeps all. */
        public Options maxLength(Integer n) {
            if (n != null && n < 0) throw new IllegalArgumentException("TextDirectory: maxLength: expected at least 0 bytes (or null: whole texts), got " + n);
            Options o = copy();
            o.maxLength = n;
            return o;
        }

        /** Keras' {@code shuffle}: true by default; false keeps the files' sorted order. */
        public Options shuffle(boolean on) {
            Options o = copy();
            o.shuffle = on;
            return o;
        }

        /** Keras' {@code seed}, NumPy's range [0, 2^32 - 1]; needed with a validation split when shuffling. */
        public Options seed(long seed) {
            if (seed < 0 || seed > 0xffffffffL) throw new IllegalArgumentException("TextDirectory: seed: expected an integer in [0, 2^32 - 1] (NumPy's), got " + seed);
            Options o = copy();
            o.seed = seed;
            return o;
        }

        /** Keras' {@code validation_split}: the fraction of the files for validation, in (0, 1); 0 (the default) for none. */
        public Options validationSplit(double fraction) {
            if (!(fraction >= 0 && fraction < 1)) {
                throw new IllegalArgumentException("TextDirectory: validationSplit: expected a fraction in (0, 1) (or 0: no split), got " + fraction);
            }
            Options o = copy();
            o.validationSplit = fraction;
            return o;
        }

        /**
         * Keras' {@code subset}: "training" or "validation" for {@link #read}, "both" for {@link #readBoth}; with a
         * validation split only.
         */
        public Options subset(String subset) {
            if (subset != null && !List.of("training", "validation", "both").contains(subset)) {
                throw new IllegalArgumentException("TextDirectory: subset: expected \"training\", \"validation\", \"both\" or null, got \"" + subset + "\"");
            }
            Options o = copy();
            o.subset = subset;
            return o;
        }

        /** Keras' {@code follow_links}: whether subfolders that are symbolic links are walked (false by default). */
        public Options followLinks(boolean on) {
            Options o = copy();
            o.followLinks = on;
            return o;
        }

        /** Keras' {@code verbose}: whether to print how many files and classes were found (true by default). */
        public Options verbose(boolean on) {
            Options o = copy();
            o.verbose = on;
            return o;
        }
    }

    /** The two subsets of {@link #readBoth}. */
    public record Both(TextDirectory training, TextDirectory validation) {}

    private final Path directory;
    private final List<Path> files;
    private final int[] labels;
    private final List<String> classNames;
    private final Options options;
    private final long seed;
    private final boolean shuffleEpochs;

    private TextDirectory(Path directory, List<Path> files, int[] labels, List<String> classNames, Options options, long seed,
                          boolean shuffleEpochs) {
        this.directory = directory;
        this.files = List.copyOf(files);
        this.labels = labels;
        this.classNames = classNames;
        this.options = options;
        this.seed = seed;
        this.shuffleEpochs = shuffleEpochs;
    }

    /** Keras' defaults: every class subfolder, int labels, shuffled with a random seed, batches of 32. */
    public static TextDirectory read(Path directory) throws IOException { return read(directory, new Options()); }

    /**
     * The files under {@code directory} as {@code options} say, or their training or validation subset (options'
     * {@code subset}; "both" is {@link #readBoth}). An IOException when the folder cannot be walked, an
     * IllegalArgumentException (in Keras' words where it has them) for options that do not fit the folder.
     */
    public static TextDirectory read(Path directory, Options options) throws IOException {
        if (options != null && "both".equals(options.subset)) {
            throw new IllegalArgumentException("TextDirectory: subset: \"both\" gives two subsets: call TextDirectory.readBoth(directory, options)");
        }
        return index(directory, options, false).training();
    }

    /** Keras' {@code subset="both"}: the training and the validation subset (not shuffled between epochs, as Keras'). */
    public static Both readBoth(Path directory, Options options) throws IOException {
        if (options == null || !"both".equals(options.subset)) {
            throw new IllegalArgumentException("TextDirectory: subset: readBoth needs options with subset(\"both\") and a validationSplit, got "
                    + (options == null ? "no options" : options.subset == null ? "no subset" : "subset \"" + options.subset + "\""));
        }
        return index(directory, options, true);
    }

    private static Both index(Path directory, Options options, boolean both) throws IOException {
        if (directory == null) throw new IllegalArgumentException("TextDirectory: directory: expected a folder of text files, got null");
        if (options == null) throw new IllegalArgumentException("TextDirectory: options: expected TextDirectory.Options, got null");
        if (!Files.isDirectory(directory)) throw new IOException("TextDirectory: directory: " + directory + " is not a folder");
        Options o = options;
        // Keras: label_mode None is labels None, which reads every file under the folder, its structure ignored
        boolean noLabels = o.labelMode == null || !o.inferred && o.labels == null;
        boolean inferred = o.inferred && !noLabels;
        if (o.labels != null && o.classNames != null) {
            throw new IllegalArgumentException("TextDirectory: classNames: only with inferred labels (the class names of explicit labels are the sorted labels), got "
                    + o.classNames);
        }
        if (noLabels && o.classNames != null) {
            throw new IllegalArgumentException("TextDirectory: classNames: not without labels (noLabels() or labelMode(null)), got " + o.classNames);
        }
        if ((o.validationSplit > 0) != (o.subset != null)) {
            throw new IllegalArgumentException("TextDirectory: subset and validationSplit: set both or neither, got validationSplit " + o.validationSplit
                    + " and subset " + (o.subset == null ? "null" : "\"" + o.subset + "\""));
        }
        if (o.validationSplit > 0 && o.shuffle && o.seed == null) {
            throw new IllegalArgumentException("TextDirectory: seed: a validation split of shuffled files needs a seed, so that the training and "
                    + "validation subsets do not overlap (Keras refuses it too)");
        }

        List<String> subdirs = new ArrayList<>();
        List<Path> roots = new ArrayList<>();   // each class's folder, as listed: a name is turned into a Path only once
        if (inferred) {
            List<Path> found = new ArrayList<>();
            try (Stream<Path> s = Files.list(directory)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")) found.add(p);
                }
            }
            found.sort((a, b) -> TextTokens.compareCodePoints(a.getFileName().toString(), b.getFileName().toString()));
            List<String> names = found.stream().map(p -> p.getFileName().toString()).toList();
            if (o.classNames != null) {
                if (!names.containsAll(o.classNames)) {
                    throw new IllegalArgumentException("TextDirectory: classNames: expected names of subfolders of " + directory + " " + names
                            + " (or some of them), got " + o.classNames);
                }
                for (String c : o.classNames) {
                    subdirs.add(c);
                    roots.add(found.get(names.indexOf(c)));
                }
            } else {
                subdirs.addAll(names);
                roots.addAll(found);
            }
        } else {
            subdirs.add("");
            roots.add(directory);
        }

        List<Path> files = new ArrayList<>();
        List<Integer> classOf = new ArrayList<>();
        for (int c = 0; c < roots.size(); c++) {
            for (Path f : textFiles(roots.get(c), o.followLinks)) {
                files.add(f);
                classOf.add(c);
            }
        }
        int n = files.size();
        int[] labels = null;
        List<String> classNames = null;
        if (inferred) {
            labels = classOf.stream().mapToInt(Integer::intValue).toArray();
            classNames = List.copyOf(subdirs);
        } else if (!noLabels) {
            if (o.labels.length != n) {
                throw new IllegalArgumentException("TextDirectory: labels: expected one label per text file, " + n + " under " + directory + ", got "
                        + o.labels.length);
            }
            labels = o.labels.clone();
            TreeSet<Integer> distinct = new TreeSet<>();
            for (int l : labels) distinct.add(l);
            classNames = distinct.stream().map(String::valueOf).toList();
        }
        if (o.verbose) {
            System.out.println(noLabels ? "Found " + n + " files." : "Found " + n + " files belonging to " + classNames.size() + " classes.");
        }
        if (!noLabels && "binary".equals(o.labelMode)) {
            if (classNames.size() != 2) {
                throw new IllegalArgumentException("TextDirectory: labelMode: \"binary\" needs exactly 2 classes, got " + classNames.size() + " " + classNames);
            }
            for (int l : labels) {
                if (l > 1) throw new IllegalArgumentException("TextDirectory: labels: labelMode \"binary\" takes labels 0 and 1, got " + l);
            }
        }
        if (!noLabels && "categorical".equals(o.labelMode)) {
            for (int l : labels) {
                if (l >= classNames.size()) {
                    throw new IllegalArgumentException("TextDirectory: labels: labelMode \"categorical\" takes labels in [0, " + classNames.size()
                            + ") (one per class), got " + l);
                }
            }
        }

        // Keras draws the missing seed from NumPy's global state, which set_random_seed seeds: here Jrnn.setSeed's
        long seed = o.seed != null ? o.seed : GlobalRandom.split().nextLong(1_000_000);
        if (o.shuffle) {
            int[] p = new NumpyRandomState(seed).permutation(n);
            List<Path> shuffled = new ArrayList<>(n);
            int[] shuffledLabels = labels == null ? null : new int[n];
            for (int k = 0; k < n; k++) {
                shuffled.add(files.get(p[k]));
                if (labels != null) shuffledLabels[k] = labels[p[k]];
            }
            files = shuffled;
            labels = shuffledLabels;
        }

        if (n == 0) throw new IllegalArgumentException("TextDirectory: directory: no text files (.txt) found under " + directory);
        if (o.validationSplit == 0) {
            return new Both(new TextDirectory(directory, files, labels, classNames, o, seed, o.shuffle), null);
        }
        int numVal = (int) (o.validationSplit * n);
        if (numVal == 0 || numVal == n) {
            throw new IllegalArgumentException("TextDirectory: validationSplit: " + o.validationSplit + " of the " + n + " text files under " + directory
                    + " leaves " + (numVal == 0 ? "no file for validation" : "no file for training") + " (Keras takes int(" + o.validationSplit
                    + " * " + n + ") = " + numVal + ")");
        }
        TextDirectory train = subset(directory, files, labels, 0, n - numVal, classNames, o, seed, o.shuffle);
        TextDirectory val = subset(directory, files, labels, n - numVal, n, classNames, o, seed, o.shuffle && !both);
        if (o.verbose) {
            if (both || "training".equals(o.subset)) System.out.println("Using " + (n - numVal) + " files for training.");
            if (both || "validation".equals(o.subset)) System.out.println("Using " + numVal + " files for validation.");
        }
        return both ? new Both(train, val) : new Both("training".equals(o.subset) ? train : val, null);
    }

    private static TextDirectory subset(Path directory, List<Path> files, int[] labels, int from, int to, List<String> classNames,
                                        Options o, long seed, boolean shuffleEpochs) {
        return new TextDirectory(directory, files.subList(from, to), labels == null ? null : Arrays.copyOfRange(labels, from, to),
                classNames, o, seed, shuffleEpochs);
    }

    /**
     * Keras' {@code iter_valid_files}: every entry that is not a folder (os.walk's files: links to files, and links that
     * lead nowhere, which fail when read) named {@code .txt} in any case under {@code root}, its subfolders walked too
     * (through links only with {@code followLinks}), folders in path order and each folder's files by name, both in code
     * point order as Python's {@code sorted} (a folder's own files before its subfolders').
     */
    private static List<Path> textFiles(Path root, boolean followLinks) throws IOException {
        Path start = root.toRealPath();   // a class folder that is a link is read either way, as os.walk reads its top
        record Found(Path path, String folder, String name) {}
        List<Found> out = new ArrayList<>();
        try (Stream<Path> s = followLinks ? Files.walk(start, FileVisitOption.FOLLOW_LINKS) : Files.walk(start)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName() == null ? "" : p.getFileName().toString();
                if (!p.equals(start) && !Files.isDirectory(p) && name.toLowerCase(Locale.ROOT).endsWith(".txt")) {
                    out.add(new Found(p, start.relativize(p.getParent()).toString(), name));
                }
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof FileSystemLoopException loop) {
                throw new IOException("TextDirectory: followLinks: a symbolic link under " + root + " leads back to a folder above it ("
                        + loop.getFile() + "); Keras would walk it until the system stops it", loop);
            }
            throw new IOException("TextDirectory: directory: cannot walk " + root + " (" + e.getCause() + ")", e.getCause());
        }
        out.sort((a, b) -> {
            int c = TextTokens.compareCodePoints(a.folder(), b.folder());
            return c != 0 ? c : TextTokens.compareCodePoints(a.name(), b.name());
        });
        List<Path> given = new ArrayList<>(out.size());
        for (Found f : out) given.add(root.resolve(start.relativize(f.path())));
        return given;
    }

    /** The files, in Keras' order (shuffled with the seed unless shuffle is off). */
    public List<Path> files() { return files; }

    /** How many files. */
    public int size() { return files.size(); }

    /** Each file's class index, or null without labels (Keras' labels None or label_mode None). */
    public int[] labels() { return labels == null ? null : labels.clone(); }

    /**
     * Keras' {@code dataset.class_names}: the class subfolders in label order (explicit labels: the sorted labels), or
     * null without labels.
     */
    public List<String> classNames() { return classNames; }

    /** The seed the files were shuffled with (drawn in [0, 10^6) when none was given, as Keras draws it). */
    public long seed() { return seed; }

    /**
     * The texts, read from disk at each {@code get} (nothing is held), each cut to {@code maxLength} bytes; UTF-8, a
     * byte sequence cut or malformed read as U+FFFD. For {@link TextVectorization#adapt(List)}.
     */
    public List<String> texts() {
        class Texts extends AbstractList<String> implements RandomAccess {
            public String get(int i) { return text(i); }
            public int size() { return files.size(); }
        }
        return new Texts();
    }

    private String text(int i) {
        Path f = files.get(i);
        try {
            byte[] b = Files.readAllBytes(f);
            int keep = options.maxLength == null ? b.length : Math.min(b.length, options.maxLength);
            return new String(b, 0, keep, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(f + ": cannot read the text file (" + e + ")", e));
        }
    }

    /**
     * The labels as Keras' label_mode encodes them: "int" (n), "categorical" (n, classes), "binary" (n, 1); null
     * without labels.
     */
    public Tensor labelTensor() {
        if (labels == null) return null;
        int n = labels.length;
        if ("categorical".equals(options.labelMode)) return Sequences.toCategorical(labels, classNames.size());
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = labels[i];
        return "binary".equals(options.labelMode) ? Tensor.wrap(v, n, 1) : Tensor.wrap(v, n);
    }

    /**
     * Keras' dataset with {@code vectorize} mapped over its texts: (vectorized text, label) samples, or texts only
     * without labels; shuffled each epoch through a buffer of 8 batches (1,024 samples unbatched) with the seed, as
     * Keras' (TensorFlow's shuffle draws another order), then batched. Each file is read and vectorized when a batch
     * needs it. {@code vectorize} must give every text one shape: "int" needs {@code outputSequenceLength} (Keras pads
     * each batch to its longest: vectorize {@link #texts()} yourself for that), "one_hot" needs {@code split(null)}.
     */
    public Dataset dataset(TextVectorization vectorize) {
        if (vectorize == null) throw new IllegalArgumentException("TextDirectory: vectorize: expected a TextVectorization with a vocabulary, got null");
        String mode = vectorize.outputMode();
        if ("int".equals(mode) && vectorize.outputSequenceLength() == null) {
            throw new IllegalArgumentException("TextDirectory: vectorize: outputMode \"int\" without outputSequenceLength gives each batch its longest "
                    + "text's length; set outputSequenceLength(n) for a dataset, or vectorize texts() yourself");
        }
        if ("one_hot".equals(mode) && vectorize.split() != null) {
            throw new IllegalArgumentException("TextDirectory: vectorize: outputMode \"one_hot\" over split texts gives each text its own number of "
                    + "rows; use split(null), or another output mode");
        }
        int[] shape = sampleShape(vectorize.call(List.of("")).shape());
        Column in = new Column.Computed(size(), shape, i -> vectorize.call(List.of(text((int) i))).data(),
                i -> files.get((int) i) + " (text " + i + " of " + directory + ")");
        try {
            Dataset d = labels == null ? Dataset.of(List.of(in), List.of())
                    : Dataset.of(List.of(in), List.of(new Column.Dense(ArrayData.of(labelTensor(), "labels of " + directory))));
            Integer b = options.batchSize;
            if (shuffleEpochs) d = d.shuffle(seed, b == null ? 1024 : b * 8);
            return b == null ? d : d.batch(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] sampleShape(int[] batchOfOne) { return Arrays.copyOfRange(batchOfOne, 1, batchOfOne.length); }

    @Override
    public String toString() {
        return "TextDirectory[" + directory + ", " + size() + " files" + (classNames == null ? "" : ", classes " + classNames) + "]";
    }
}
