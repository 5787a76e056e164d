// Runs the loss, activation and row-softmax kernels (kernels/loss.cu, kernels/elementwise.cu) on the host
// simulator, launched as CudaBackend launches them, for CudaKernelsSimTest to compare with the CPU backend:
//   g++ -std=c++20 -O1 -pthread -include cuda_sim.h -I kernels kernel_sim_main.cpp
// stdin, one problem after another, each a header line then its numbers (whitespace separated):
//   loss <kind> <rows> <cols> <delta> <gamma> <alpha> <balance> <smooth> <targetCount> <weighted>
//        pred[rows*cols] target[targetCount] (weights[rows])
//   act <code> <n> x[n] y[n] dy[n]          (y: what activateBackward is given)
//   rows <softmax|log_softmax> <rows> <cols> x[rows*cols] dy[rows*cols]
//   ew <op> ...  the plain elementwise.cu kernels, one output line each (the array they write):
//      axpy n alpha x y | scale n s x | mul n a b | addrow rows cols bias y | clip n lo hi x | copy n src | fill n v
//      copy2d rows cols srcLd dstLd src[rows*srcLd] dst[rows*dstLd] | transpose d0 d1 d2 x | scale2d rows cols s ld x
//      sumrows rows cols rowsPerChunk chunks accumulate x out   (grid (ceil(cols/32), chunks) of (32, 8) as CudaElementwise)
// stdout, one line per problem: "<value> <row> <index>" then the gradient (row, index: the first row whose class index
// the kernel refused and that index, from its error key; -1 0 when none); "act" y then dx; "rows" y then dx
// (y of x, and dx through the y computed here); "ew" its output.
#include "loss.cu"
#include "elementwise.cu"

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

std::vector<float> read(std::istream& in, long long n) {
    std::vector<float> v((size_t)n);
    for (auto& f : v) {
        std::string s;
        in >> s;
        f = (float)std::strtod(s.c_str(), nullptr);  // reads NaN and Infinity as Java writes them
    }
    return v;
}

void print(const std::vector<float>& v) {
    for (float f : v) std::printf(" %.9g", f);
    std::printf("\n");
}

// One block (the simulator's static __shared__ is per launch; the kernels' row and element loops are
// grid-stride) of two warps where CudaBackend launches 256 threads: the same code paths (a warp per row,
// rows left over for a second pass, the block reduction across warps) at a thread count a 2-core host runs.
const dim3 kBlock{64, 1, 1};
const dim3 kOne{1, 1, 1};

void loss(std::istream& in) {
    int kind, rows, cols, balance, weighted;
    long long targets;
    float delta, gamma, alpha, smooth;
    in >> kind >> rows >> cols >> delta >> gamma >> alpha >> balance >> smooth >> targets >> weighted;
    const long long n = (long long)rows * cols;
    std::vector<float> pred = read(in, n), target = read(in, targets), weights;
    if (weighted) weights = read(in, rows);
    std::vector<float> grad((size_t)n, -7.0f);
    double acc = 0.0;
    unsigned long long err = ~0ull;  // CudaTraining resets the key to all ones
    int nonBinary = 0;
    if (kind == JRNN_LOSS_HINGE || kind == JRNN_LOSS_SQUARED_HINGE) {
        jrnn_sim::launch(jrnn_hinge_labels, kOne, kBlock, 0, false, targets, (const float*)target.data(), &nonBinary);
    }
    jrnn_sim::launch(jrnn_loss, kOne, kBlock, 0, false, kind, rows, cols, (const float*)pred.data(),
                     (const float*)target.data(), weighted ? (const float*)weights.data() : (const float*)nullptr,
                     grad.data(), &acc, &err, (const int*)&nonBinary, delta, gamma, alpha, balance, smooth);
    float bad;
    const unsigned bits = (unsigned)(err & 0xffffffffull);
    std::memcpy(&bad, &bits, 4);
    std::printf("%.9g %lld %.9g\n", (double)(float)(acc / (double)rows), err == ~0ull ? -1ll : (long long)(err >> 32),
                err == ~0ull ? 0.0 : (double)bad);  // the mean: jrnn_loss_finish's float
    print(grad);
}

void act(std::istream& in) {
    int code;
    long long n;
    in >> code >> n;
    std::vector<float> x = read(in, n), y = read(in, n), dy = read(in, n), out((size_t)n), dx((size_t)n);
    jrnn_sim::launch(jrnn_activate, kOne, kBlock, 0, false, code, n, (const float*)x.data(), out.data());
    jrnn_sim::launch(jrnn_activate_bwd, kOne, kBlock, 0, false, code, n, (const float*)y.data(), (const float*)dy.data(),
                     dx.data());
    print(out);
    print(dx);
}

void rowOp(std::istream& in) {
    std::string op;
    int rows, cols;
    in >> op >> rows >> cols;
    const long long n = (long long)rows * cols;
    std::vector<float> x = read(in, n), dy = read(in, n), y((size_t)n), dx((size_t)n);
    // CudaElementwise.rowsGrid: the block as wide as the row (whole warps), here up to 64 threads (256 there)
    const dim3 block{(unsigned)std::min(64, std::max(32, (cols + 31) / 32 * 32)), 1, 1};
    const bool log = op == "log_softmax";
    jrnn_sim::launch(log ? jrnn_log_softmax_rows : jrnn_softmax_rows, kOne, block, 0, false, rows, cols,
                     (const float*)x.data(), y.data());
    jrnn_sim::launch(log ? jrnn_log_softmax_rows_bwd : jrnn_softmax_rows_bwd, kOne, block, 0, false, rows, cols,
                     (const float*)y.data(), (const float*)dy.data(), dx.data());
    print(y);
    print(dx);
}

void ew(std::istream& in) {
    std::string op;
    in >> op;
    auto go = [](auto kernel, auto... args) { jrnn_sim::launch(kernel, kOne, kBlock, 0, false, args...); };
    if (op == "axpy" || op == "mul") {
        long long n;
        float alpha = 0;
        in >> n;
        if (op == "axpy") in >> alpha;
        std::vector<float> x = read(in, n), y = read(in, n);
        if (op == "axpy") go(jrnn_axpy, n, alpha, (const float*)x.data(), y.data());
        else go(jrnn_mul, n, (const float*)x.data(), (const float*)y.data(), x.data());   // out aliasing a, as callers may
        print(op == "axpy" ? y : x);
    } else if (op == "scale" || op == "clip") {
        long long n;
        float a, b = 0;
        in >> n >> a;
        if (op == "clip") in >> b;
        std::vector<float> x = read(in, n);
        if (op == "scale") go(jrnn_scale, n, a, x.data());
        else go(jrnn_clip, n, a, b, x.data());
        print(x);
    } else if (op == "addrow") {
        int rows, cols;
        in >> rows >> cols;
        std::vector<float> bias = read(in, cols), y = read(in, (long long)rows * cols);
        go(jrnn_add_row_vector, rows, cols, (const float*)bias.data(), y.data());
        print(y);
    } else if (op == "copy" || op == "fill") {
        long long n;
        float v = 0;
        in >> n;
        std::vector<float> src, dst((size_t)n, -7.0f);
        if (op == "copy") src = read(in, n);
        else in >> v;
        if (op == "copy") go(jrnn_copy, (const float*)src.data(), dst.data(), n);
        else go(jrnn_fill, dst.data(), n, v);
        print(dst);
    } else if (op == "copy2d") {
        int rows, cols, srcLd, dstLd;
        in >> rows >> cols >> srcLd >> dstLd;
        std::vector<float> src = read(in, (long long)rows * srcLd), dst = read(in, (long long)rows * dstLd);
        go(jrnn_copy2d, rows, cols, (const float*)src.data(), srcLd, dst.data(), dstLd);
        print(dst);
    } else if (op == "transpose") {
        int d0, d1, d2;
        in >> d0 >> d1 >> d2;
        const long long n = (long long)d0 * d1 * d2;
        std::vector<float> x = read(in, n), y((size_t)n, -7.0f);
        go(jrnn_transpose01, d0, d1, d2, (const float*)x.data(), y.data());
        print(y);
    } else if (op == "scale2d") {
        int rows, cols, ld;
        float sc;
        in >> rows >> cols >> sc >> ld;
        std::vector<float> x = read(in, (long long)rows * ld);
        go(jrnn_scale2d, rows, cols, sc, x.data(), ld);
        print(x);
    } else if (op == "sumrows") {
        int rows, cols, perChunk, chunks, accumulate;
        in >> rows >> cols >> perChunk >> chunks >> accumulate;
        std::vector<float> x = read(in, (long long)rows * cols), out = read(in, cols);
        std::vector<double> partial((size_t)chunks * cols, std::nan(""));
        jrnn_sim::launch(jrnn_sum_rows_partial, dim3{(unsigned)((cols + 31) / 32), (unsigned)chunks, 1}, dim3{32, 8, 1}, 0,
                         false, rows, cols, perChunk, (const float*)x.data(), partial.data());
        go(jrnn_sum_rows_finish, cols, chunks, (const double*)partial.data(), out.data(), accumulate);
        print(out);
    } else {
        std::fprintf(stderr, "kernel_sim: unknown elementwise op '%s'\n", op.c_str());
        std::exit(2);
    }
}

}  // namespace

int main() {
    jrnn_sim::serial_blocks = true;   // sum_rows_partial: a grid of blocks, each its own static __shared__ tile
    std::string what;
    while (std::cin >> what) {
        if (what == "loss") loss(std::cin);
        else if (what == "act") act(std::cin);
        else if (what == "rows") rowOp(std::cin);
        else if (what == "ew") ew(std::cin);
        else {
            std::fprintf(stderr, "kernel_sim: unknown problem '%s'\n", what.c_str());
            return 2;
        }
        std::fflush(stdout);
    }
    return 0;
}
