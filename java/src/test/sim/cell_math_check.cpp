// Checks the CUDA kernels' cell math (kernels/cell_math.cuh, shared by every step and persistent kernel) on the CPU:
// each cell's float backward against float64 central differences of a float64 forward written here from the
// formulas (Keras' cells), and the float forward against that forward. Driven by CellMathSimTest:
//   g++ -std=c++20 -O1 -include cuda_sim.h -I kernels cell_math_check.cpp
// stdout, one line per cell and activation pair: <cell> <act> <rec> <forward err> <backward err>, the largest
// |got - want| / (1 + |want|) over random points.
#include "cell_math.cuh"

#include <cstdio>
#include <functional>
#include <random>
#include <vector>

namespace {

double actd(int a, double x) {
    switch (a) {
        case JRNN_TANH: return std::tanh(x);
        case JRNN_SIGMOID: return 1.0 / (1.0 + std::exp(-x));
        case JRNN_ELU: return x > 0 ? x : std::expm1(x);
        case JRNN_SOFTSIGN: return x / (1 + std::fabs(x));
        case JRNN_GELU: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
        case JRNN_SWISH: return x / (1 + std::exp(-x));
        // Keras 3's (keras/src/ops/nn.py), default arguments
        case JRNN_RELU6: return std::min(std::max(x, 0.0), 6.0);
        case JRNN_MISH: return x * std::tanh(std::log1p(std::exp(x)));
        case JRNN_HARD_SILU: return x * std::min(std::max(x + 3, 0.0), 6.0) / 6;
        case JRNN_CELU: return x >= 0 ? x : std::exp(x) - 1;
        case JRNN_LOG_SIGMOID: return -std::log1p(std::exp(-x));
        case JRNN_TANH_SHRINK: return x - std::tanh(x);
        case JRNN_SQUAREPLUS: return (x + std::sqrt(x * x + 4)) / 2;
        case JRNN_SPARSE_PLUS: return x <= -1 ? 0 : x >= 1 ? x : (x + 1) * (x + 1) / 4;
        default: return x;
    }
}

struct Err {
    double fwd = 0, bwd = 0;
    void at(double& e, double got, double want) { e = std::max(e, std::fabs(got - want) / (1 + std::fabs(want))); }
};

// d/d in[i] of f at in, central differences in float64
double diff(const std::function<double(const std::vector<double>&)>& f, std::vector<double> in, size_t i) {
    const double h = 1e-6, x = in[i];
    in[i] = x + h;
    const double up = f(in);
    in[i] = x - h;
    const double down = f(in);
    return (up - down) / (2 * h);
}

// LSTM. in = (pre i, f, g, o, cPrev); L = gh * h + dcNext * c.
void lstm(int act, int rec, std::mt19937_64& rnd, Err& e) {
    std::uniform_real_distribution<double> u(-2.5, 2.5);
    std::vector<double> in(5);
    for (double& v : in) v = u(rnd);
    const double gh = u(rnd), dcNext = u(rnd);
    auto ref = [&](const std::vector<double>& x, double& c, double& h) {
        c = actd(rec, x[1]) * x[4] + actd(rec, x[0]) * actd(act, x[2]);
        h = actd(rec, x[3]) * actd(act, c);
    };
    auto loss = [&](const std::vector<double>& x) { double c, h; ref(x, c, h); return gh * h + dcNext * c; };
    float g[4] = {(float)in[0], (float)in[1], (float)in[2], (float)in[3]};
    float c, h;
    jrnn_lstm_fwd(act, rec, g, (float)in[4], 0.0f, false, c, h);
    double cr, hr;
    ref(in, cr, hr);
    e.at(e.fwd, c, cr);
    e.at(e.fwd, h, hr);
    float dg[4];
    const float dcPrev = jrnn_lstm_bwd(act, rec, g, (float)in[4], c, (float)gh, (float)dcNext, dg);
    for (int k = 0; k < 4; ++k) e.at(e.bwd, dg[k], diff(loss, in, k));
    e.at(e.bwd, dcPrev, diff(loss, in, 4));
}

// GRU, reset_after. in = (xz, xr, xh, rz, rr, rh, hPrev); L = gh * h; dhPrev here is the cell's direct part.
void gru(int act, int rec, std::mt19937_64& rnd, Err& e) {
    std::uniform_real_distribution<double> u(-2.5, 2.5);
    std::vector<double> in(7);
    for (double& v : in) v = u(rnd);
    const double gh = u(rnd);
    auto ref = [&](const std::vector<double>& x) {
        const double z = actd(rec, x[0] + x[3]), r = actd(rec, x[1] + x[4]), hh = actd(act, x[2] + r * x[5]);
        return z * x[6] + (1 - z) * hh;
    };
    auto loss = [&](const std::vector<double>& x) { return gh * ref(x); };
    float x[3] = {(float)in[0], (float)in[1], (float)in[2]};
    const float rp[3] = {(float)in[3], (float)in[4], (float)in[5]};
    const float h = jrnn_gru_fwd(act, rec, x, rp, (float)in[6], false);
    e.at(e.fwd, h, ref(in));
    float dx[3], dr[3];
    const float dhPrev = jrnn_gru_bwd(act, rec, x, rp[2], (float)in[6], (float)gh, dx, dr);
    for (int k = 0; k < 3; ++k) {
        e.at(e.bwd, dx[k], diff(loss, in, k));
        e.at(e.bwd, dr[k], diff(loss, in, 3 + k));
    }
    e.at(e.bwd, dhPrev, diff(loss, in, 6));
}

// GRU, reset-before, with a scalar uh for the product resetState · Uh. in = (xz, xr, xh, hPrev); L = gh * h;
// dhPrev is the direct part plus the part through resetState (not through the gates' hPrev·U).
void gruResetBefore(int act, int rec, std::mt19937_64& rnd, Err& e) {
    std::uniform_real_distribution<double> u(-2.5, 2.5);
    std::vector<double> in(4);
    for (double& v : in) v = u(rnd);
    const double gh = u(rnd), uh = u(rnd);
    auto ref = [&](const std::vector<double>& x) {
        const double z = actd(rec, x[0]), r = actd(rec, x[1]), hh = actd(act, x[2] + r * x[3] * uh);
        return z * x[3] + (1 - z) * hh;
    };
    auto loss = [&](const std::vector<double>& x) { return gh * ref(x); };
    float x[3] = {(float)in[0], (float)in[1], (float)in[2]};
    const float hPrev = (float)in[3];
    const float resetState = jrnn_gru_rb_gates(rec, x, hPrev);
    x[2] += resetState * (float)uh;
    const float h = jrnn_gru_rb_out(act, rec, x[0], &x[2], hPrev, false);
    e.at(e.fwd, h, ref(in));
    float dz, dh, dr;
    float dhPrev = jrnn_gru_rb_bwd_out(act, rec, x[0], x[2], hPrev, (float)gh, &dz, &dh);
    dhPrev += jrnn_gru_rb_bwd_gate(rec, x[1], hPrev, dh * (float)uh, &dr);
    e.at(e.bwd, dz, diff(loss, in, 0));
    e.at(e.bwd, dr, diff(loss, in, 1));
    e.at(e.bwd, dh, diff(loss, in, 2));
    e.at(e.bwd, dhPrev, diff(loss, in, 3));
}

// SimpleRNN. in = (pre); L = gh * h. Backward is handed h, or pre for the activations that keep their input.
void rnn(int act, int, std::mt19937_64& rnd, Err& e) {
    std::uniform_real_distribution<double> u(-2.5, 2.5);
    std::vector<double> in = {u(rnd)};
    const double gh = u(rnd);
    auto loss = [&](const std::vector<double>& x) { return gh * actd(act, x[0]); };
    const float h = jrnn_rnn_fwd(act, (float)in[0], 0.0f, false);
    e.at(e.fwd, h, actd(act, in[0]));
    const float kept = jrnn_act_keep(act, (float)in[0], h);
    e.at(e.bwd, jrnn_rnn_bwd(act, kept, (float)gh), diff(loss, in, 0));
}

const char* name(int a) {
    switch (a) {
        case JRNN_TANH: return "tanh";
        case JRNN_SIGMOID: return "sigmoid";
        case JRNN_ELU: return "elu";
        case JRNN_SOFTSIGN: return "softsign";
        case JRNN_GELU: return "gelu";
        case JRNN_SWISH: return "swish";
        case JRNN_RELU6: return "relu6";
        case JRNN_MISH: return "mish";
        case JRNN_HARD_SILU: return "hard_silu";
        case JRNN_CELU: return "celu";
        case JRNN_LOG_SIGMOID: return "log_sigmoid";
        case JRNN_TANH_SHRINK: return "tanh_shrink";
        case JRNN_SQUAREPLUS: return "squareplus";
        case JRNN_SPARSE_PLUS: return "sparse_plus";
        default: return "linear";
    }
}

}  // namespace

int main() {
    const int acts[] = {JRNN_TANH, JRNN_SIGMOID, JRNN_ELU, JRNN_SOFTSIGN, JRNN_GELU, JRNN_SWISH, JRNN_RELU6, JRNN_MISH,
                        JRNN_HARD_SILU, JRNN_CELU, JRNN_LOG_SIGMOID, JRNN_TANH_SHRINK, JRNN_SQUAREPLUS, JRNN_SPARSE_PLUS};
    struct Cell { const char* name; void (*run)(int, int, std::mt19937_64&, Err&); };
    const Cell cells[] = {{"lstm", lstm}, {"gru", gru}, {"gru_reset_before", gruResetBefore}, {"rnn", rnn}};
    std::mt19937_64 rnd(20261204);
    for (const Cell& c : cells) {
        for (int act : acts) {
            for (int rec : acts) {
                Err e;
                for (int i = 0; i < 200; ++i) c.run(act, rec, rnd, e);
                std::printf("%s %s %s %.3g %.3g\n", c.name, name(act), name(rec), e.fwd, e.bwd);
            }
        }
    }
    return 0;
}
