import numpy as np
exec(open(__file__.replace('metrics', 'losses')).read().split("def jarr")[0])
eps = 1e-7
def batches():
    for s in range(0, N, B): yield slice(s, s+B)
def mean_metric(fn, y, q, ww):
    tot = cnt = 0
    for sl in batches():
        v = fn(y[sl].astype(np.float64), q[sl]); wv = np.ones(len(v)) if ww is None else ww[sl].astype(np.float64)
        tot += (v*wv).sum(); cnt += wv.sum()
    return tot/cnt
def conf(y, q, ww, thr):
    wv = np.ones(N) if ww is None else ww.astype(np.float64)
    W2 = np.broadcast_to(wv[:, None], y.shape)
    yt = y != 0
    tp = np.array([(W2*((q > t) & yt)).sum() for t in thr]); fp = np.array([(W2*((q > t) & ~yt)).sum() for t in thr])
    fn = np.array([(W2*(~(q > t) & yt)).sum() for t in thr]); tn = np.array([(W2*(~(q > t) & ~yt)).sum() for t in thr])
    return tp, fp, fn, tn
def dnn(a, b): return np.where(b == 0, 0.0, a/np.where(b == 0, 1, b))
def auc(y, q, ww, curve="ROC", n=200):
    thr = [0 - eps] + [(i+1)/(n-1) for i in range(n-2)] + [1 + eps]
    q32 = q.astype(np.float32)
    tp, fp, fn, tn = conf(y, q32, ww, np.array(thr, dtype=np.float32))
    if curve == "PR":
        dtp = tp[:-1]-tp[1:]; p = tp+fp; dp = p[:-1]-p[1:]
        slope = dnn(dtp, np.maximum(dp, 0)); inter = tp[1:] - slope*p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0), dnn(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return dnn(slope*(dtp + inter*np.log(ratio)), np.maximum(tp[1:]+fn[1:], 0)).sum()
    rec = dnn(tp, tp+fn); fpr = dnn(fp, fp+tn)
    return ((fpr[:-1]-fpr[1:]) * (rec[:-1]+rec[1:])/2).sum()
def fbeta(y, q, ww, average=None, beta=1.0, threshold=None):
    if threshold is None:
        t = q.max(-1, keepdims=True); yp = ((q >= t) & (np.abs(q) > 1e-9)).astype(float)
    else: yp = (q > threshold).astype(float)
    wv = np.ones((N, 1)) if ww is None else ww.astype(np.float64)[:, None]
    tp = (yp*y*wv).sum(0); fp = (yp*(1-y)*wv).sum(0); fn = ((1-yp)*y*wv).sum(0); iw = (y*wv).sum(0)
    if average == "micro": tp, fp, fn, iw = tp.sum(), fp.sum(), fn.sum(), iw.sum()
    pr = tp/(tp+fp+eps); rc = tp/(tp+fn+eps); f = pr*rc/(beta**2*pr+rc+eps)*(1+beta**2)
    if average == "weighted": return (f*iw/(iw.sum()+eps)).sum()
    if average is not None: return f.mean()
    return f
def r2(y, q, ww):
    wv = np.ones((N, 1)) if ww is None else ww.astype(np.float64)[:, None]; wv = np.broadcast_to(wv, y.shape)
    s = (y*wv).sum(0); ss = (y*y*wv).sum(0); mse = ((y-q)**2*wv).sum(0); c = wv.sum(0)
    tot = ss - s*(s/c); return (1 - mse/tot).mean()
Yb = yb.astype(np.float64); Yr = yr.astype(np.float64); Yo = yo.astype(np.float64)
out = {}
for tag, ww in (("", None), ("weighted_", w)):
    out[tag+"binary_accuracy"] = mean_metric(lambda y, q: ((q > 0.5) == y).mean(1), Yb, P, ww)
    out[tag+"categorical_accuracy"] = mean_metric(lambda y, q: (q.argmax(1) == y.argmax(1)).astype(float), Yo, P, ww)
    tp, fp, fn, tn = conf(Yb, P, ww, [0.5])
    out[tag+"precision"] = (tp/(tp+fp))[0]; out[tag+"recall"] = (tp/(tp+fn))[0]
    out[tag+"true_positives"] = tp[0]; out[tag+"false_negatives"] = fn[0]
    out[tag+"auc"] = auc(Yb, P, ww); out[tag+"pr_auc"] = auc(Yb, P, ww, "PR")
    out[tag+"f1_macro"] = fbeta(Yb, P, ww, "macro"); out[tag+"f1_micro"] = fbeta(Yb, P, ww, "micro", threshold=0.5)
    out[tag+"f2_weighted"] = fbeta(Yb, P, ww, "weighted", beta=2.0, threshold=0.5)
    out[tag+"binary_crossentropy"] = mean_metric(lambda y, q: bce(y, q).mean(1), Yb, P, ww)
    out[tag+"hinge"] = mean_metric(lambda y, q: np.maximum(1-hinge_y(y)*q, 0).mean(1), Yb, P, ww)
    # regression
    out[tag+"mae"] = mean_metric(lambda y, q: np.abs(q-y).mean(1), Yr, Z, ww)
    out[tag+"root_mean_squared_error"] = np.sqrt(mean_metric(lambda y, q: ((q-y)**2).mean(1), Yr, Z, ww))
    out[tag+"mape"] = mean_metric(lambda y, q: 100*(np.abs(q-y)/np.maximum(np.abs(y), eps)).mean(1), Yr, Z, ww)
    out[tag+"msle"] = mean_metric(lambda y, q: ((np.log(np.maximum(q, eps)+1)-np.log(np.maximum(y, eps)+1))**2).mean(1), Yr, Z, ww)
    out[tag+"log_cosh_error"] = mean_metric(lambda y, q: logcosh(q-y).mean(1), Yr, Z, ww)
    out[tag+"cosine_similarity"] = mean_metric(lambda y, q: (y*q).sum(1)/np.maximum(np.linalg.norm(y, axis=1), eps)/np.maximum(np.linalg.norm(q, axis=1), eps), Yr, Z, ww)
    out[tag+"r2_score"] = r2(Yr, Z, ww)
for k, v in out.items(): print(f'"{k}", {float(v)!r}')
