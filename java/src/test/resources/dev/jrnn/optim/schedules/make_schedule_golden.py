# Golden learning rates for SchedulesTest from PyTorch's own schedulers (torch 1.13), not from Keras' formula:
# CosineAnnealingWarmRestarts(T_0, T_mult, eta_min) is SGDR as Keras' CosineDecayRestarts with m_mul=1 and
# alpha = eta_min / initial; PolynomialLR(total_iters, power) is Keras' PolynomialDecay with end_learning_rate=0.
import torch
def rates(make, steps):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    s = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        s.step()
    return out
print("sgdr", rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.005), 20))
print("poly", rates(lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=6, power=2.0), 9))
