/**
 * Import of models saved by Keras: Keras 1/2 and tf.keras HDF5 files ({@code model.save("m.h5")},
 * {@code save_weights}) and Keras 3 {@code .keras} zips. {@link dev.jrnn.model.Models#load} is the user entry;
 * the classes here each do one step: {@link dev.jrnn.io.keras.KerasFile} recognises and opens the file,
 * {@link dev.jrnn.io.keras.Hdf5Arrays} turns HDF5 datasets into tensors, {@link dev.jrnn.io.keras.Keras2Weights}
 * and {@link dev.jrnn.io.keras.Keras3Weights} find each layer's weights, {@link dev.jrnn.io.keras.KerasLayers}
 * builds layers from their configs, {@link dev.jrnn.io.keras.KerasGraph} wires them into a model and
 * {@link dev.jrnn.io.keras.KerasImport} puts it all together.
 */
package dev.jrnn.io.keras;
