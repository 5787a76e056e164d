"""The printing shared by the train-step golden generators of this folder: one SGD step (learning rate 1, mse) of
model(W) against y, printed as the Java arrays the tests paste (PRED, LOSS, AFTER: each weight after the step)."""
import torch


def fmt(t):
    return "{" + ", ".join("%.9g" % v for v in t.detach().reshape(-1).tolist()) + "}"


def print_sgd_step(model, W, y):
    pred = model(W)
    loss = ((pred - y) ** 2).mean()
    grads = torch.autograd.grad(loss, W)
    print("PRED = %s;" % fmt(pred))
    print("LOSS = %.12g;" % loss.item())
    print("AFTER = {")
    for w, g in zip(W, grads):
        print("        %s," % fmt(w - 1.0 * g))
    print("};")
