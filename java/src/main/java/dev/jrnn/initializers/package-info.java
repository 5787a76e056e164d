/**
 * Keras' weight initializers ({@code keras.initializers}): {@link dev.jrnn.initializers.Initializer} and its kinds, their
 * fans ({@link dev.jrnn.initializers.Fans}) and draws ({@link dev.jrnn.initializers.Draws}). Layers take them through
 * their {@code kernelInitializer}, {@code recurrentInitializer}, {@code biasInitializer} and {@code embeddingsInitializer}
 * setters; {@code io.keras} reads and writes them as Keras' configs do.
 */
package dev.jrnn.initializers;
