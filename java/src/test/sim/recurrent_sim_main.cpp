// Runs the per-step recurrent kernels (kernels/rnn.cu, lstm.cu, gru.cu) on the host simulator, launched as
// CudaRecurrent launches them, for CudaRecurrentKernelsSimTest to compare with the CPU backend's
// recurrentStepForward / recurrentStepBackward:
//   g++ -std=c++20 -O1 -pthread -include cuda_sim.h -I kernels recurrent_sim_main.cpp
// stdin, one problem after another: a header "<op> act recAct batch units", then arrays, each its length and its
// numbers (length 0: a null pointer). stdout, one line of numbers per output:
//   rnnf  pre hPrev mask                              -> h
//   rnnb  h dhNext dy mask                            -> dpre, dhPrev
//   lstmf gates cPrev hPrev mask                      -> gates (kept), c, h
//   lstmb gates cPrev c dhNext dy dcNext mask         -> dgates, dcPrev, dhPrev
//   gruf  xp rp bRec hPrev mask                       -> xp (kept), rp (+ bRec), h
//   grub  xp rp hPrev dhNext dy mask                  -> dxp, drp, dhPrev
//   rbf   xp u hPrev mask                             -> xp (kept), resetState, h       (GRU reset_after=False)
//   rbb   xp u hPrev dhNext dy mask                   -> dxp, dResetState, dhPrev
// The reset-before steps run the GEMM that CudaRecurrent leaves to cuBLAS between their two kernels here, in double.
#include "rnn.cu"
#include "lstm.cu"
#include "gru.cu"

#include <iostream>
#include <string>
#include <vector>

namespace {

using V = std::vector<float>;

V read(std::istream& in) {
    long long n;
    in >> n;
    V v((size_t)n);
    for (auto& f : v) {
        std::string s;
        in >> s;
        f = (float)std::strtod(s.c_str(), nullptr);
    }
    return v;
}

const float* ptr(const V& v) { return v.empty() ? nullptr : v.data(); }

void print(const V& v) {
    for (float f : v) std::printf(" %.9g", f);
    std::printf("\n");
}

// Two blocks of one warp, run one after another: every grid-stride loop takes a second pass (CudaBackend: 256-thread
// blocks over the device).
const dim3 kBlock{32, 1, 1};
const dim3 kGrid{2, 1, 1};

template <class... P, class... A>
void go(void (*kernel)(P...), A... args) { jrnn_sim::launch(kernel, kGrid, kBlock, 0, false, args...); }

// c[b, 2H + j] (+)= sum_k a[b, k] * u[k, 2H + j] (transposed: c[b, k] = sum_j a[b, 2H + j] * u[k, 2H + j]); u [H, 3H].
void gemmForward(int batch, int units, const V& a, const V& u, V& xp) {
    for (int b = 0; b < batch; ++b)
        for (int j = 0; j < units; ++j) {
            double s = 0;
            for (int k = 0; k < units; ++k) s += (double)a[b * units + k] * u[k * 3 * units + 2 * units + j];
            xp[b * 3 * units + 2 * units + j] += (float)s;
        }
}

void gemmBackward(int batch, int units, const V& dxp, const V& u, V& out) {
    for (int b = 0; b < batch; ++b)
        for (int k = 0; k < units; ++k) {
            double s = 0;
            for (int j = 0; j < units; ++j) s += (double)dxp[b * 3 * units + 2 * units + j] * u[k * 3 * units + 2 * units + j];
            out[b * units + k] = (float)s;
        }
}

}  // namespace

int main() {
    jrnn_sim::serial_blocks = true;
    std::string op;
    while (std::cin >> op) {
        int act, rec, batch, units;
        std::cin >> act >> rec >> batch >> units;
        const size_t n = (size_t)batch * units;
        if (op == "rnnf") {
            V pre = read(std::cin), hp = read(std::cin), mask = read(std::cin), h(n, -7.0f);
            go(jrnn_rnn_step_fwd, act, batch, units, ptr(pre), ptr(hp), ptr(mask), h.data());
            print(h);
        } else if (op == "rnnb") {
            V h = read(std::cin), dhn = read(std::cin), dy = read(std::cin), mask = read(std::cin), dpre(n, -7.0f), dhp(n, -7.0f);
            go(jrnn_rnn_step_bwd, act, batch, units, ptr(h), ptr(dhn), ptr(dy), ptr(mask), dpre.data(), dhp.data());
            print(dpre);
            print(dhp);
        } else if (op == "lstmf") {
            V gates = read(std::cin), cp = read(std::cin), hp = read(std::cin), mask = read(std::cin), c(n, -7.0f), h(n, -7.0f);
            go(jrnn_lstm_step_fwd, act, rec, batch, units, gates.data(), ptr(cp), ptr(hp), ptr(mask), c.data(), h.data());
            print(gates);
            print(c);
            print(h);
        } else if (op == "lstmb") {
            V gates = read(std::cin), cp = read(std::cin), c = read(std::cin), dhn = read(std::cin), dy = read(std::cin),
              dcn = read(std::cin), mask = read(std::cin), dg(4 * n, -7.0f), dcp(n, -7.0f), dhp(n, -7.0f);
            go(jrnn_lstm_step_bwd, act, rec, batch, units, ptr(gates), ptr(cp), ptr(c), ptr(dhn), ptr(dy), ptr(dcn),
               ptr(mask), dg.data(), dcp.data(), dhp.data());
            print(dg);
            print(dcp);
            print(dhp);
        } else if (op == "gruf") {
            V xp = read(std::cin), rp = read(std::cin), bRec = read(std::cin), hp = read(std::cin), mask = read(std::cin),
              h(n, -7.0f);
            go(jrnn_gru_step_fwd, act, rec, batch, units, xp.data(), rp.data(), ptr(bRec), ptr(hp), ptr(mask), h.data());
            print(xp);
            print(rp);
            print(h);
        } else if (op == "grub") {
            V xp = read(std::cin), rp = read(std::cin), hp = read(std::cin), dhn = read(std::cin), dy = read(std::cin),
              mask = read(std::cin), dxp(3 * n, -7.0f), drp(3 * n, -7.0f), dhp(n, -7.0f);
            go(jrnn_gru_step_bwd, act, rec, batch, units, ptr(xp), ptr(rp), ptr(hp), ptr(dhn), ptr(dy), ptr(mask),
               dxp.data(), drp.data(), dhp.data());
            print(dxp);
            print(drp);
            print(dhp);
        } else if (op == "rbf") {
            V xp = read(std::cin), u = read(std::cin), hp = read(std::cin), mask = read(std::cin), rs(n, -7.0f), h(n, -7.0f);
            go(jrnn_gru_rb_gates_fwd, rec, batch, units, xp.data(), ptr(hp), rs.data());
            gemmForward(batch, units, rs, u, xp);
            go(jrnn_gru_rb_out_fwd, act, rec, batch, units, xp.data(), ptr(hp), ptr(mask), h.data());
            print(xp);
            print(rs);
            print(h);
        } else if (op == "rbb") {
            V xp = read(std::cin), u = read(std::cin), hp = read(std::cin), dhn = read(std::cin), dy = read(std::cin),
              mask = read(std::cin), dxp(3 * n, -7.0f), drs(n, -7.0f), dhp(n, -7.0f);
            go(jrnn_gru_rb_out_bwd, act, rec, batch, units, ptr(xp), ptr(hp), ptr(dhn), ptr(dy), ptr(mask), dxp.data(),
               dhp.data());
            gemmBackward(batch, units, dxp, u, drs);
            go(jrnn_gru_rb_gate_bwd, rec, batch, units, ptr(xp), ptr(hp), (const float*)drs.data(), ptr(mask), dxp.data(),
               dhp.data());
            print(dxp);
            print(drs);
            print(dhp);
        } else {
            std::fprintf(stderr, "recurrent_sim: unknown problem '%s'\n", op.c_str());
            return 2;
        }
        std::fflush(stdout);
    }
    return 0;
}
