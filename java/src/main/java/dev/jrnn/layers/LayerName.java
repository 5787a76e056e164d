package dev.jrnn.layers;

import dev.jrnn.backend.NameUids;

/**
 * A layer's name: the Keras default drawn from {@link NameUids} when the layer is made ("lstm", then "lstm_1", ...)
 * until another is given. A name given while the drawn default still stands gives its number back, as Keras' {@code
 * name=...} never draws one; a wrapper renaming its inner layer keeps the number taken ({@link #keepNumber}).
 */
final class LayerName {
    private String name;
    /** The default name drawn when the layer was made, until another name is given; then null. */
    private NameUids.Drawn drawn;

    /** Draws the default name from {@code base} (Keras' snake_case class name). */
    LayerName(String base) {
        this.drawn = NameUids.draw(base);
        this.name = drawn.name();
    }

    String get() { return name; }

    /** The given name, checked; the drawn default's number goes back. */
    void set(String n) {
        this.name = Names.check("layer name", n);
        if (drawn != null) NameUids.giveBack(drawn);
        drawn = null;
    }

    /** While the name is the default, draws it from {@code base}, from 1 with {@code fromOne} (Keras' input_1, ...). */
    void redrawDefault(String base, boolean fromOne) {
        if (drawn == null) return;
        NameUids.giveBack(drawn);
        drawn = NameUids.draw(base);
        if (fromOne && drawn.name().equals(base)) drawn = NameUids.draw(base);
        name = drawn.name();
    }

    /** The default's number stays taken when a name is given next (a wrapper's forward layer, as in Keras). */
    void keepNumber() { drawn = null; }
}
