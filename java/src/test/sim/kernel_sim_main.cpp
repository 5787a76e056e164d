// Runs the loss, activation and row-softmax kernels (kernels/loss.cu, kernels/elementwise.cu) on the host
// simulator, launched as CudaBackend launches them, for CudaKernelsSimTest to compare with the CPU backend:
//   g++ -std=c++20 -O1 -pthread -include cuda_sim.h -I kernels kernel_sim_main.cpp
// stdin, one problem after another, each a header line then its numbers (whitespace separated):
//   loss <kind> <rows> <cols> <delta> <gamma> <alpha> <balance> <smooth> <targetCount> <weighted>
//        pred[rows*cols] target[targetCount] (weights[rows])
//   act <code> <n> x[n] y[n] dy[n]          (y: what activateBackward is given)
//   rows <softmax|log_softmax> <rows> <cols> x[rows*cols] dy[rows*cols]
// stdout, one line per problem: "loss <value> <err>" then the gradient; "act" y then dx; "rows" y then dx
// (y of x, and dx through the y computed here).
#include "loss.cu"
#include "elementwise.cu"

#include <iostream>
#include <string>
#include <vector>

namespace {

std::vector<float> read(std::istream& in, long long n) {
    std::vector<float> v((size_t)n);
    for (auto& f : v) {
        double d;
        in >> d;
        f = (float)d;
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
    int err = 0, nonBinary = 0;
    if (kind == JRNN_LOSS_HINGE || kind == JRNN_LOSS_SQUARED_HINGE) {
        jrnn_sim::launch(jrnn_hinge_labels, kOne, kBlock, 0, false, targets, (const float*)target.data(), &nonBinary);
    }
    jrnn_sim::launch(jrnn_loss, kOne, kBlock, 0, false, kind, rows, cols, (const float*)pred.data(),
                     (const float*)target.data(), weighted ? (const float*)weights.data() : (const float*)nullptr,
                     grad.data(), &acc, &err, (const int*)&nonBinary, delta, gamma, alpha, balance, smooth);
    std::printf("loss %.9g %d\n", (double)(float)(acc / (double)rows), err);  // jrnn_loss_finish's float
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

}  // namespace

int main() {
    std::string what;
    while (std::cin >> what) {
        if (what == "loss") loss(std::cin);
        else if (what == "act") act(std::cin);
        else if (what == "rows") rowOp(std::cin);
        else {
            std::fprintf(stderr, "kernel_sim: unknown problem '%s'\n", what.c_str());
            return 2;
        }
        std::fflush(stdout);
    }
    return 0;
}
