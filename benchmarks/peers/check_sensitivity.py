#!/usr/bin/env python3
"""Does torch_cpu.py's equal-work check see a wrong backward pass? For each PeerFixture file it runs the peer's
own check (torch_cpu.equal_work) once as is, which must pass, and once per simulated bug on the peer's side, each
of which must fail: gradients x2, x0.5, x10 (a constant factor), a missing bias gradient, a missing recurrent-kernel
gradient, BPTT truncated to the last 5 steps, to the last step and to all but the first tenth of the steps (which
moves the weights' gradients least; the input gradient's reach sees it). It prints, per bug, what the losses alone would
have seen (the MSE after one Adam update, the check before the gradients were compared: tolerance 1e-5) and what
the gradients see. Exit status 1 if the check passes any bug or fails the correct step. A truncation that drops
only steps whose correct input gradient is below the peer's floor (1e-20 of the largest step's: at T = 400 the
first tenth of the steps, tbptt_most) is no bug any float32 check can see; it is reported, not counted.

    dir=benchmarks/target/peer-fixtures-sensitivity
    java ... dev.jrnn.bench.PeerFixture --dir $dir --shapes 4x10x8x8,32x50x128x128,4x400x8x8
    /usr/bin/python3 benchmarks/peers/check_sensitivity.py $dir

(4x400x8x8: a long sequence, whose correct float32 input gradient underflows to 0 at the first steps, at a step that
differs between jrnn and torch: the correct step must still pass.)

(An idea of the outside tester's report on the benchmark harness: at 4x10x8x8 the losses alone move by 3e-7 to
4e-6 relative under a x2 / x0.5 / x10 gradient, since Adam's first step is about lr * sign(g).)
"""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402
import torch_cpu  # noqa: E402

BUGS = ["grad_x2", "grad_x0.5", "grad_x10", "no_bias_grad", "no_recurrent_grad", "tbptt5", "tbptt1", "tbptt_most"]


def buggy_step(torch, net, opt, xs, ys, bug):
    """The peer's train step on batch k with one simulated backward bug (None: the step as torch_cpu.py runs it)."""
    mse = torch.nn.functional.mse_loss
    if bug is None:
        return pc.make_step(torch, net, opt, mse, xs, ys)

    def step(k):
        x, y = xs[k % len(xs)], ys[k % len(ys)]
        opt.zero_grad(set_to_none=True)
        t = x.shape[1]
        if bug.startswith("tbptt"):
            keep = kept_steps(bug, t)
            with torch.no_grad():   # the first steps without a gradient through the state: truncated BPTT
                _, state = net(x[:, :t - keep]) if t > keep else (None, None)
            out, _ = net(x[:, t - keep:], state)
        else:
            out, _ = net(x)
        loss = mse(out[:, -1], y)
        loss.backward()
        with torch.no_grad():
            for name, p in net.named_parameters():
                if p.grad is None:
                    continue
                if bug.startswith("grad_x"):
                    p.grad *= float(bug[6:])
                elif bug == "no_bias_grad" and name.startswith("bias"):
                    p.grad.zero_()
                elif bug == "no_recurrent_grad" and name.startswith("weight_hh"):
                    p.grad.zero_()
        opt.step()
        return loss.item()
    return step


def kept_steps(bug, t):
    """How many of the last steps a tbptt bug keeps: tbptt_most drops only the first tenth (at least one), what the
    weights' gradients barely see."""
    return t - max(1, t // 10) if bug == "tbptt_most" else min(int(bug[5:]), t)


def invisible(w, bug, t):
    """Whether a tbptt bug drops only steps whose correct input gradient is below the peer's floor (1e-20 of the
    largest step's): a long sequence's first steps, whose float32 gradient has vanished or underflowed; no check can
    tell that truncation from full BPTT, and the peer does not try."""
    if not bug.startswith("tbptt") or "grad_x" not in w:
        return False
    return torch_cpu.bptt_reach(w["grad_x"], torch_cpu.xgrad_floor(w["grad_x"])) <= kept_steps(bug, t)


def check(torch, path, bug):
    w, meta, net, opt, xs, ys = torch_cpu.peer_for(torch, path)
    line, failed = torch_cpu.equal_work(torch, w, meta, net, buggy_step(torch, net, opt, xs, ys, bug), xs, ys)
    return line, failed


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: check_sensitivity.py FIXTURE_DIR (PeerFixture's *.safetensors)")
    import torch
    torch.set_num_threads(1)
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.safetensors")))
    if not files:
        raise SystemExit(f"check_sensitivity.py: no *.safetensors in {sys.argv[1]}")
    wrong = []
    for f in files:
        name = os.path.basename(f)
        w, meta = pc.read_safetensors(f)
        line, failed = check(torch, f, None)
        print(f"{name}: correct step: {'FAILS: ' + '; '.join(failed) if failed else 'passes'}\n    {line}")
        if failed:
            wrong.append(f"{name}: the correct step fails")
        for bug in BUGS:
            line, failed = check(torch, f, bug)
            grads = [x.split(" ")[0] for x in failed if x.startswith("grad_") or x.startswith("BPTT length")]
            loss_only = any(x.startswith("MSE after") or x.startswith("step-1") for x in failed)
            rel2 = line.rsplit("(rel ", 1)[1].rstrip(")")
            print(f"    {bug:18s} caught: {'yes' if failed else 'NO '}  by gradients: {', '.join(grads) or '-':50s} "
                  f"losses alone: {'yes' if loss_only else 'no '} (after-update MSE rel {rel2})")
            if not failed and invisible(w, bug, pc.parse_shape(meta["shape"])[1]):
                print(f"    {'':18s} (it drops only steps below the floor: jrnn's input gradient reaches back "
                      f"{torch_cpu.bptt_reach(w['grad_x'], torch_cpu.xgrad_floor(w['grad_x']))} steps; nothing to see)")
            elif not failed:
                wrong.append(f"{name}: {bug} passes the check")
    if wrong:
        print("check_sensitivity.py: " + "; ".join(wrong), file=sys.stderr)
        return 1
    print("every simulated bug fails the check (but those that drop only steps below the floor); the correct step passes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
