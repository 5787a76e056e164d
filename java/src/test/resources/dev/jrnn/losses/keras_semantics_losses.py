import numpy as np
rng = np.random.default_rng(7)
N, C, B = 10, 3, 4
eps = 1e-7
f32 = np.float32
p = rng.uniform(0.05, 0.95, (N, C)).astype(f32)           # probabilities (not normalized)
z = rng.normal(0, 2, (N, C)).astype(f32)                  # logits / regression preds
yb = (rng.uniform(size=(N, C)) > 0.5).astype(f32)          # binary
ys = rng.integers(0, C, N).astype(f32)                     # sparse
yo = np.eye(C, dtype=f32)[ys.astype(int)]                  # one-hot
yr = rng.normal(0, 1.5, (N, C)).astype(f32)                # regression
yd = rng.uniform(0.0, 1.0, (N, C)).astype(f32); yd /= yd.sum(1, keepdims=True); yd = yd.astype(f32)  # distributions
w = rng.uniform(0, 2, N).astype(f32)
P = p.astype(np.float64); Z = z.astype(np.float64)
def clip(a): return np.clip(a, eps, 1 - eps)
def bce(y, q): q = clip(q); return -(y*np.log(q) + (1-y)*np.log(1-q))
def sig(x): return 1/(1+np.exp(-x))
def bce_logits(y, x): return np.maximum(x, 0) - x*y + np.log1p(np.exp(-np.abs(x)))
def softmax(x): e = np.exp(x - x.max(1, keepdims=True)); return e/e.sum(1, keepdims=True)
def cce(y, q): q = q/q.sum(1, keepdims=True); return -(y*np.log(clip(q))).sum(1)
def hinge_y(y): return 2*y-1 if np.all((y==0)|(y==1)) else y
def huber(d): a = np.abs(d); return np.where(a <= 1, 0.5*d*d, a - 0.5)
def logcosh(d): return d + np.logaddexp(0, -2*d) - np.log(2)
def catfocal(y, q):
    q = q/q.sum(1, keepdims=True); q = clip(q); return (0.25*(1-q)**2 * -y*np.log(q)).sum(1)
def binfocal(y, pp, bcev):
    pt = y*pp + (1-y)*(1-pp); return ((1-pt)**2 * bcev).mean(1)
# (name, pred, target, per-sample loss fn taking batch arrays)
cases = [
 ("mse", Z, yr, lambda y, q: ((q-y)**2).mean(1)),
 ("mae", Z, yr, lambda y, q: np.abs(q-y).mean(1)),
 ("huber", Z, yr, lambda y, q: huber(q-y).mean(1)),
 ("log_cosh", Z, yr, lambda y, q: logcosh(q-y).mean(1)),
 ("binary_crossentropy", P, yb, lambda y, q: bce(y, q).mean(1)),
 ("binary_crossentropy_from_logits", Z, yb, lambda y, q: bce_logits(y, q).mean(1)),
 ("categorical_crossentropy", P, yo, cce),
 ("categorical_crossentropy_from_logits", Z, yo, lambda y, q: -(y*np.log(softmax(q))).sum(1)),
 ("sparse_categorical_crossentropy", P, ys, lambda y, q: cce(np.eye(C)[y.astype(int)], q)),
 ("sparse_categorical_crossentropy_from_logits", Z, ys, lambda y, q: -(np.eye(C)[y.astype(int)]*np.log(softmax(q))).sum(1)),
 ("kl_divergence", P, yd, lambda y, q: (np.clip(y, eps, 1)*np.log(np.clip(y, eps, 1)/np.clip(q, eps, 1))).sum(1)),
 ("poisson", P, yr**2, lambda y, q: (q - y*np.log(q+eps)).mean(1)),
 ("hinge", Z, yb, lambda y, q: np.maximum(1 - hinge_y(y)*q, 0).mean(1)),
 ("squared_hinge", Z, yb, lambda y, q: (np.maximum(1 - hinge_y(y)*q, 0)**2).mean(1)),
 ("categorical_hinge", Z, yo, lambda y, q: np.maximum(((1-y)*q).max(1) - (y*q).sum(1) + 1, 0)),
 ("binary_focal_crossentropy", P, yb, lambda y, q: binfocal(y, q, bce(y, q))),
 ("binary_focal_crossentropy_from_logits", Z, yb, lambda y, q: binfocal(y, sig(q), bce_logits(y, q))),
 ("categorical_focal_crossentropy", P, yo, catfocal),
 ("categorical_focal_crossentropy_from_logits", Z, yo, lambda y, q: catfocal(y, softmax(q))),
]
def jarr(a): return "{" + ", ".join(repr(float(v)) + "f" for v in np.asarray(a, dtype=f32).ravel()) + "}"
print("P =", jarr(p)); print("Z =", jarr(z)); print("YB =", jarr(yb)); print("YS =", jarr(ys)); print("YO =", jarr(yo))
print("YR =", jarr(yr)); print("YD =", jarr(yd)); print("YR2 =", jarr(yr**2)); print("W =", jarr(w))
for name, q, y, fn in cases:
    unw = 0; wt = 0
    for s in range(0, N, B):
        l = fn(y[s:s+B].astype(np.float64), q[s:s+B])
        unw += l.sum(); wt += (w[s:s+B]*l).sum()
    print(f'"{name}", {unw/N!r}, {wt/N!r}')
