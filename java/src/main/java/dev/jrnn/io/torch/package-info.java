/**
 * PyTorch state_dicts into jrnn models: {@code torch.save(model.state_dict(), path)} zips and safetensors files.
 * {@link dev.jrnn.model.Models#loadTorchWeights} and {@link dev.jrnn.io.torch.TorchWeights} are the user entries; the
 * other classes each do one step: {@code TorchStateDict} opens the file and reads tensors through their strides,
 * {@code TorchPickle} is the restricted unpickler of a .pt's {@code data.pkl} (it calls nothing but a state_dict's
 * own names), {@code TorchDType} the element types, {@code TorchLayers} what each jrnn layer kind reads and how
 * torch's layouts become Keras'.
 */
package dev.jrnn.io.torch;
