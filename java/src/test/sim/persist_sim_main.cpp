// Runs the persistent kernels (kernels/persistent_rnn.cu) on the CPU model cuda_sim.h and compares
// them with a float64 reference of the per-step path (the semantics of Backend.*Step* plus the
// recurrent GEMMs, written as plain loops here). Driven by PersistentKernelSimTest:
//   g++ -std=c++20 -O1 -pthread -include cuda_sim.h -I kernels persist_sim_main.cpp
// stdin, one problem per line:
//   kind prec T B H act rec mask init dy dhT tbptt alias seed  fS fBg fNC fNT fMma fSmem  bS bBg bNC bNT bMma bSmem
// (kind rnn|lstm|gru, prec fp32|tf32|bf16, flags 0/1; f* / b* = forward / backward plan: split, block
// size, tensor-core variant and dynamic shared-memory bytes). stdout, one line per problem:
//   layoutF=<bytes> layoutB=<bytes> h=<err> c=<err> P=<err> RP=<err> dP=<err> dRP=<err> dh0=<err> dc0=<err> nan=<n>
// err = ||kernel - reference|| / ||reference|| (0 where the output does not exist); nan counts NaNs
// in the kernels' outputs (every output starts as NaN, so an element never written is counted).
#include "persistent_rnn.cu"

#include <iostream>
#include <random>
#include <sstream>
#include <string>

using namespace jrnn_persist;

namespace {

double actd(int a, double x) {
    switch (a) {
        case JRNN_TANH: return std::tanh(x);
        case JRNN_SIGMOID: return 1.0 / (1.0 + std::exp(-x));
        case JRNN_RELU: return x > 0 ? x : 0;
        case JRNN_HARD_SIGMOID: return std::max(0.0, std::min(1.0, 0.2 * x + 0.5));
        case JRNN_HARD_SIGMOID_V3: return std::max(0.0, std::min(1.0, x / 6 + 0.5));
        default: return x;
    }
}

double derivd(int a, double y) {
    switch (a) {
        case JRNN_TANH: return 1 - y * y;
        case JRNN_SIGMOID: return y * (1 - y);
        case JRNN_RELU: return y > 0 ? 1 : 0;
        case JRNN_HARD_SIGMOID: return (y > 0 && y < 1) ? 0.2 : 0;
        case JRNN_HARD_SIGMOID_V3: return (y > 0 && y < 1) ? 1.0 / 6 : 0;
        default: return 1;
    }
}

struct Plan { int S, Bg, NC, NT, mma; unsigned smem; };

using Vf = std::vector<float>;
using Vd = std::vector<double>;

double relerr(const Vf& k, const Vd& r) {
    double num = 0, den = 0;
    for (size_t i = 0; i < r.size(); ++i) {
        const double d = (double)k[i] - r[i];
        num += d * d;
        den += r[i] * r[i];
    }
    if (den == 0) return num == 0 ? 0 : INFINITY;
    return std::sqrt(num / den);
}

long nans(const Vf& v) {
    long n = 0;
    for (float x : v) n += std::isnan(x) ? 1 : 0;
    return n;
}

Vf tofloat(const Vd& v) { return Vf(v.begin(), v.end()); }

// Activation.kerasName(): "hard_sigmoid" is Keras 3's, "hard_sigmoid_keras2" Keras 2's; -1 for a name not here
int actCode(const std::string& s) {
    if (s == "tanh") return JRNN_TANH;
    if (s == "sigmoid") return JRNN_SIGMOID;
    if (s == "relu") return JRNN_RELU;
    if (s == "linear") return JRNN_LINEAR;
    if (s == "hard_sigmoid_keras2") return JRNN_HARD_SIGMOID;
    if (s == "hard_sigmoid") return JRNN_HARD_SIGMOID_V3;
    return -1;
}

typedef void (*FwdFn)(int, int, int, int, int, int, int, int, const float*, float*, float*, const float*,
                      const float*, const float*, const float*, float*, float*);
typedef void (*BwdFn)(int, int, int, int, int, int, int, int, int, const float*, const float*, const float*,
                      const float*, const float*, const float*, const float*, const float*, const float*,
                      const float*, const float*, float*, float*, float*, float*);

FwdFn fwdFn(int kind, int prec, int mma) {
    static const FwdFn t[3][3][2] = {
        {{jrnn_persist_rnn_fwd_fp32, jrnn_persist_rnn_fwd_fp32_tc}, {jrnn_persist_rnn_fwd_tf32, jrnn_persist_rnn_fwd_tf32_tc},
         {jrnn_persist_rnn_fwd_bf16, jrnn_persist_rnn_fwd_bf16_tc}},
        {{jrnn_persist_lstm_fwd_fp32, jrnn_persist_lstm_fwd_fp32_tc}, {jrnn_persist_lstm_fwd_tf32, jrnn_persist_lstm_fwd_tf32_tc},
         {jrnn_persist_lstm_fwd_bf16, jrnn_persist_lstm_fwd_bf16_tc}},
        {{jrnn_persist_gru_fwd_fp32, jrnn_persist_gru_fwd_fp32_tc}, {jrnn_persist_gru_fwd_tf32, jrnn_persist_gru_fwd_tf32_tc},
         {jrnn_persist_gru_fwd_bf16, jrnn_persist_gru_fwd_bf16_tc}}};
    return t[kind][prec][mma];
}

BwdFn bwdFn(int kind, int prec, int mma) {
    static const BwdFn t[3][3][2] = {
        {{jrnn_persist_rnn_bwd_fp32, jrnn_persist_rnn_bwd_fp32_tc}, {jrnn_persist_rnn_bwd_tf32, jrnn_persist_rnn_bwd_tf32_tc},
         {jrnn_persist_rnn_bwd_bf16, jrnn_persist_rnn_bwd_bf16_tc}},
        {{jrnn_persist_lstm_bwd_fp32, jrnn_persist_lstm_bwd_fp32_tc}, {jrnn_persist_lstm_bwd_tf32, jrnn_persist_lstm_bwd_tf32_tc},
         {jrnn_persist_lstm_bwd_bf16, jrnn_persist_lstm_bwd_bf16_tc}},
        {{jrnn_persist_gru_bwd_fp32, jrnn_persist_gru_bwd_fp32_tc}, {jrnn_persist_gru_bwd_tf32, jrnn_persist_gru_bwd_tf32_tc},
         {jrnn_persist_gru_bwd_bf16, jrnn_persist_gru_bwd_bf16_tc}}};
    return t[kind][prec][mma];
}

std::string runProblem(const std::string& line) {
    std::istringstream in(line);
    std::string kindS, precS, actS, recS;
    int T, B, H, useMask, init, useDy, useDhT, tbptt, alias;
    long seed;
    Plan pf, pb;
    in >> kindS >> precS >> T >> B >> H >> actS >> recS >> useMask >> init >> useDy >> useDhT >> tbptt >> alias >> seed;
    in >> pf.S >> pf.Bg >> pf.NC >> pf.NT >> pf.mma >> pf.smem >> pb.S >> pb.Bg >> pb.NC >> pb.NT >> pb.mma >> pb.smem;
    if (!in) return "error: cannot parse '" + line + "'";
    const int kind = kindS == "lstm" ? KIND_LSTM : (kindS == "gru" ? KIND_GRU : KIND_RNN);
    const int prec = precS == "tf32" ? PREC_TF32 : (precS == "bf16" ? PREC_BF16 : PREC_FP32);
    const int act = actCode(actS), rec = actCode(recS);
    if (act < 0 || rec < 0) return "error: unknown activation in '" + line + "'";
    const int ng = gates_of(kind);
    const int G = ng * H;
    const long BH = (long)B * H, TBH = (long)T * B * H, TBG = (long)T * B * G;

    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
    const float us = 1.5f / std::sqrt((float)H);
    Vf U((size_t)H * G), P0(TBG), bRec(G), h0(BH), c0(BH), mask((size_t)T * B), dy(TBH), dhT(BH), dcT(BH);
    for (auto& v : U) v = us * uni(rng);
    for (auto& v : P0) v = uni(rng);
    for (auto& v : bRec) v = 0.5f * uni(rng);
    for (auto& v : h0) v = 0.8f * uni(rng);
    for (auto& v : c0) v = uni(rng);
    for (auto& v : dy) v = uni(rng);
    for (auto& v : dhT) v = uni(rng);
    for (auto& v : dcT) v = uni(rng);
    for (int t = 0; t < T; ++t)
        for (int b = 0; b < B; ++b) mask[(size_t)t * B + b] = (uni(rng) < -0.5f) ? 0.0f : 1.0f;
    if (useMask) {  // padding at both ends of some rows
        mask[0] = 0.0f;
        mask[(size_t)(T - 1) * B + (B - 1)] = 0.0f;
    }
    const bool hasBias = kind == KIND_GRU && (seed % 2 == 0);

    // ---------------------------------------------------------------- float64 forward reference
    Vd rh(TBH), rc(TBH), rP(P0.begin(), P0.end()), rRP(TBG, 0.0);
    {
        Vd hp(BH, 0.0), cp(BH, 0.0);
        if (init) {
            for (long i = 0; i < BH; ++i) hp[i] = h0[i], cp[i] = c0[i];
        }
        for (int t = 0; t < T; ++t) {
            Vd hu((size_t)B * G, 0.0);
            for (int b = 0; b < B; ++b)
                for (int k = 0; k < H; ++k) {
                    const double hv = hp[(long)b * H + k];
                    for (int g = 0; g < G; ++g) hu[(size_t)b * G + g] += hv * U[(size_t)k * G + g];
                }
            for (int b = 0; b < B; ++b) {
                const bool masked = useMask && mask[(size_t)t * B + b] == 0.0f;
                const long row = (long)t * B + b;
                for (int j = 0; j < H; ++j) {
                    const long e = (long)b * H + j;
                    double* p = &rP[row * G];
                    const double* u = &hu[(size_t)b * G];
                    double h, c = 0;
                    if (kind == KIND_LSTM) {
                        const double i_ = actd(rec, p[j] + u[j]), f = actd(rec, p[H + j] + u[H + j]);
                        const double g = actd(act, p[2 * H + j] + u[2 * H + j]), o = actd(rec, p[3 * H + j] + u[3 * H + j]);
                        p[j] = i_, p[H + j] = f, p[2 * H + j] = g, p[3 * H + j] = o;
                        c = masked ? cp[e] : f * cp[e] + i_ * g;
                        h = masked ? hp[e] : o * actd(act, c);
                    } else if (kind == KIND_GRU) {
                        double r3[3];
                        for (int q = 0; q < 3; ++q) {
                            r3[q] = u[q * H + j] + (hasBias ? bRec[q * H + j] : 0.0);
                            rRP[row * G + q * H + j] = r3[q];
                        }
                        const double z = actd(rec, p[j] + r3[0]), r = actd(rec, p[H + j] + r3[1]);
                        const double hh = actd(act, p[2 * H + j] + r * r3[2]);
                        p[j] = z, p[H + j] = r, p[2 * H + j] = hh;
                        h = masked ? hp[e] : z * hp[e] + (1 - z) * hh;
                    } else {
                        h = masked ? hp[e] : actd(act, p[j] + u[j]);
                    }
                    rh[row * H + j] = h;
                    rc[row * H + j] = c;
                }
            }
            for (int b = 0; b < B; ++b)
                for (int j = 0; j < H; ++j) {
                    const long e = (long)b * H + j;
                    hp[e] = rh[((long)t * B + b) * H + j];
                    cp[e] = rc[((long)t * B + b) * H + j];
                }
        }
        if (kind == KIND_RNN) rP.assign(P0.begin(), P0.end());  // SimpleRNN leaves P as it was
    }

    // ---------------------------------------------------------------- kernel forward
    Vf kP = P0, kRP(TBG, NAN), kh(TBH, NAN), kc(TBH, NAN);
    const Layout Lf = make_layout(kind, 0, prec, H, pf.S, pf.Bg, pf.NC, pf.NT, pf.mma);
    const dim3 gf{(unsigned)((H + pf.S - 1) / pf.S), (unsigned)((B + pf.Bg - 1) / pf.Bg), 1};
    jrnn_sim::launch(fwdFn(kind, prec, pf.mma), gf, dim3{(unsigned)pf.NT, 1, 1}, pf.smem, true, T, B, H, pf.S, pf.Bg, pf.NC,
                     act, rec, (const float*)U.data(), kP.data(), kind == KIND_GRU ? kRP.data() : (float*)nullptr,
                     (const float*)(hasBias ? bRec.data() : nullptr), (const float*)(init ? h0.data() : nullptr),
                     (const float*)(init && kind == KIND_LSTM ? c0.data() : nullptr),
                     (const float*)(useMask ? mask.data() : nullptr), kh.data(),
                     kind == KIND_LSTM ? kc.data() : (float*)nullptr);

    // ---------------------------------------------------------------- float64 backward reference
    // Inputs from the reference forward, rounded to float: kernel and reference see the same values.
    const Vf fP = tofloat(rP), fRP = tofloat(rRP), fh = tofloat(rh), fc = tofloat(rc);
    const bool wantD0 = init != 0;
    Vd rdP(TBG, 0.0), rdRP(TBG, 0.0), rdh0(BH, 0.0), rdc0(BH, 0.0);
    {
        Vd dhN(BH, 0.0), dcN(BH, 0.0);
        if (useDhT)
            for (long i = 0; i < BH; ++i) dhN[i] = dhT[i], dcN[i] = kind == KIND_LSTM ? dcT[i] : 0.0;
        for (int t = T - 1; t >= 0; --t) {
            if (tbptt > 0 && (t + 1) % tbptt == 0 && t + 1 < T) {
                std::fill(dhN.begin(), dhN.end(), 0.0);
                std::fill(dcN.begin(), dcN.end(), 0.0);
            }
            Vd dhP(BH, 0.0), dcP(BH, 0.0);
            for (int b = 0; b < B; ++b) {
                const bool masked = useMask && mask[(size_t)t * B + b] == 0.0f;
                const long row = (long)t * B + b;
                for (int j = 0; j < H; ++j) {
                    const long e = (long)b * H + j;
                    const double g = dhN[e] + (useDy ? dy[row * H + j] : 0.0);
                    double* d = &rdP[row * G];
                    if (masked) {
                        dhP[e] = g;
                        dcP[e] = dcN[e];
                        continue;  // dP (and dRP) stay 0
                    }
                    if (kind == KIND_LSTM) {
                        const float* gt = &fP[row * G];
                        const double i_ = gt[j], f = gt[H + j], gg = gt[2 * H + j], o = gt[3 * H + j];
                        const double c = fc[row * H + j];
                        const double cp = t > 0 ? fc[(row - B) * H + j] : (init ? c0[e] : 0.0);
                        const double a = actd(act, c);
                        const double dc = dcN[e] + g * o * derivd(act, a);
                        d[j] = dc * gg * derivd(rec, i_);
                        d[H + j] = dc * cp * derivd(rec, f);
                        d[2 * H + j] = dc * i_ * derivd(act, gg);
                        d[3 * H + j] = g * a * derivd(rec, o);
                        dcP[e] = dc * f;
                    } else if (kind == KIND_GRU) {
                        const float* x = &fP[row * G];
                        const double z = x[j], r = x[H + j], hh = x[2 * H + j];
                        const double rhv = fRP[row * G + 2 * H + j];
                        const double hp = t > 0 ? fh[(row - B) * H + j] : (init ? h0[e] : 0.0);
                        const double dz = g * (hp - hh) * derivd(rec, z);
                        const double dhh = g * (1 - z) * derivd(act, hh);
                        const double dr = dhh * rhv * derivd(rec, r);
                        d[j] = dz, d[H + j] = dr, d[2 * H + j] = dhh;
                        double* dr2 = &rdRP[row * G];
                        dr2[j] = dz, dr2[H + j] = dr, dr2[2 * H + j] = dhh * r;
                        dhP[e] = g * z;
                    } else {
                        d[j] = g * derivd(act, fh[row * H + j]);
                    }
                }
            }
            if (t > 0 || wantD0) {
                const Vd& A = kind == KIND_GRU ? rdRP : rdP;
                for (int b = 0; b < B; ++b)
                    for (int k = 0; k < H; ++k) {
                        double s = 0;
                        for (int n = 0; n < G; ++n) s += A[((long)t * B + b) * G + n] * U[(size_t)k * G + n];
                        dhP[(long)b * H + k] += s;
                    }
            }
            dhN = dhP;
            dcN = dcP;
        }
        rdh0 = dhN;
        rdc0 = dcN;
    }

    // ---------------------------------------------------------------- kernel backward
    Vf kdP(TBG, NAN), kdRP(TBG, NAN), kdh0(BH, NAN), kdc0(BH, NAN);
    Vf dhTin = dhT, dcTin = dcT;
    float* dh0p = wantD0 ? (alias ? dhTin.data() : kdh0.data()) : nullptr;
    float* dc0p = (wantD0 && kind == KIND_LSTM) ? (alias ? dcTin.data() : kdc0.data()) : nullptr;
    const Layout Lb = make_layout(kind, 1, prec, H, pb.S, pb.Bg, pb.NC, pb.NT, pb.mma);
    const dim3 gb{(unsigned)((H + pb.S - 1) / pb.S), (unsigned)((B + pb.Bg - 1) / pb.Bg), 1};
    jrnn_sim::launch(bwdFn(kind, prec, pb.mma), gb, dim3{(unsigned)pb.NT, 1, 1}, pb.smem, true, T, B, H, pb.S, pb.Bg, pb.NC,
                     act, rec, tbptt, (const float*)U.data(), (const float*)fP.data(),
                     (const float*)(kind == KIND_GRU ? fRP.data() : nullptr), (const float*)(init ? h0.data() : nullptr),
                     (const float*)fh.data(), (const float*)(init && kind == KIND_LSTM ? c0.data() : nullptr),
                     (const float*)fc.data(), (const float*)(useDy ? dy.data() : nullptr),
                     (const float*)(useDhT ? dhTin.data() : nullptr),
                     (const float*)(useDhT && kind == KIND_LSTM ? dcTin.data() : nullptr),
                     (const float*)(useMask ? mask.data() : nullptr), kdP.data(),
                     kind == KIND_GRU ? kdRP.data() : (float*)nullptr, dh0p, dc0p);
    if (alias && wantD0) {
        kdh0 = dhTin;
        if (kind == KIND_LSTM) kdc0 = dcTin;
    }

    long nan = nans(kh) + nans(kP) + nans(kdP);
    if (kind == KIND_LSTM) nan += nans(kc);
    if (kind == KIND_GRU) nan += nans(kRP) + nans(kdRP);
    if (wantD0) nan += nans(kdh0) + (kind == KIND_LSTM ? nans(kdc0) : 0);
    std::ostringstream out;
    out << "layoutF=" << Lf.total << " layoutB=" << Lb.total << " h=" << relerr(kh, rh)
        << " c=" << (kind == KIND_LSTM ? relerr(kc, rc) : 0.0) << " P=" << relerr(kP, rP)
        << " RP=" << (kind == KIND_GRU ? relerr(kRP, rRP) : 0.0) << " dP=" << relerr(kdP, rdP)
        << " dRP=" << (kind == KIND_GRU ? relerr(kdRP, rdRP) : 0.0)
        << " dh0=" << (wantD0 ? relerr(kdh0, rdh0) : 0.0)
        << " dc0=" << (wantD0 && kind == KIND_LSTM ? relerr(kdc0, rdc0) : 0.0) << " nan=" << nan;
    return out.str();
}

}  // namespace

int main() {
    std::string line;
    std::cout.precision(3);
    while (std::getline(std::cin, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::cout << runProblem(line) << std::endl;
    }
    return 0;
}
