// Runs the training-step, normalization and embedding kernels (kernels/train.cu, normalization.cu, embedding.cu) on
// the host simulator, launched as CudaTraining, CudaNormOps and CudaEmbedding launch them, for CudaTrainKernelsSimTest
// to compare with the CPU backend:   g++ -std=c++20 -O1 -pthread -include cuda_sim.h -I kernels train_sim_main.cpp
// stdin, one problem after another, a header line then its numbers; stdout, one line of numbers per output:
//   mask rows cols maskValue x                      -> mask
//   mulrows zeroed rows cols x s                    -> y
//   maxsteps batch steps features x dy              -> y, dx, dx of the first tie
//   dropout n rate seed lo hi                       -> mask, counter after
//   noise n mean stddev seed lo hi                  -> noise, counter after
//   ids n vocab ids                                 -> out, (first bad index, its value) or (-1, 0)
//   scale mode param n parts x                      -> x (mode 0 scale-to-sum, 1 clipnorm; parts: sum_partial's grid)
//   adam n steps lr b1 b2 eps guard p g[steps*n] m v                 -> p, m, v, step counter
//   sgd n steps lr momentum nesterov hasVelocity p g[steps*n] (vel)   -> p, (velocity)
//   opt kind n steps lr h1 h2 eps wd has2 has3 p g[steps*n] s1 (s2) (s3) -> p, s1, (s2), (s3), (step counter)
//   guard n code guard x                            -> guard
//   copyif n guard src dst                          -> dst
//   rsqrt n eps x                                   -> y
//   mulrowvec rows cols x v                         -> y
//   gather n dim vocab idx table                    -> out, err
//   scatter n dim vocab idx dOut dTable             -> dTable, err
#include "train.cu"
#include "normalization.cu"
#include "embedding.cu"

#include <iostream>
#include <string>
#include <vector>

namespace {

using V = std::vector<float>;

V read(std::istream& in, long long n) {
    V v((size_t)n);
    for (auto& f : v) {
        std::string s;
        in >> s;
        f = (float)std::strtod(s.c_str(), nullptr);  // reads NaN, Infinity as Java writes them
    }
    return v;
}

void print(const float* v, long long n) {
    for (long long i = 0; i < n; ++i) std::printf(" %.9g", v[i]);
    std::printf("\n");
}
void print(const V& v) { print(v.data(), (long long)v.size()); }

// Two blocks of one warp where CudaBackend launches 256-thread blocks over the whole device: every grid-stride loop
// takes a second pass and a second block; the blocks run one after another (jrnn_sim::serial_blocks) so the
// reductions' static __shared__ scratch is the running block's.
const dim3 kBlock{32, 1, 1};
const dim3 kGrid{2, 1, 1};
const dim3 kOne{1, 1, 1};

template <class... P, class... A>
void go(void (*kernel)(P...), A... args) { jrnn_sim::launch(kernel, kGrid, kBlock, 0, false, args...); }
template <class... P, class... A>
void one(void (*kernel)(P...), A... args) { jrnn_sim::launch(kernel, kOne, kOne, 0, false, args...); }

void mask(std::istream& in) {
    int rows, cols;
    float mv;
    in >> rows >> cols >> mv;
    V x = read(in, (long long)rows * cols), m((size_t)rows, -7.0f);
    go(jrnn_mask_from_values, rows, cols, (const float*)x.data(), mv, m.data());
    print(m);
}

void mulrows(std::istream& in) {
    int zeroed, rows, cols;
    in >> zeroed >> rows >> cols;
    V x = read(in, (long long)rows * cols), s = read(in, rows), y((size_t)rows * cols, -7.0f);
    go(zeroed ? jrnn_masked_mul_rows : jrnn_mul_rows, rows, cols, (const float*)x.data(), (const float*)s.data(), y.data());
    print(y);
}

void maxsteps(std::istream& in) {
    int b, t, f;
    in >> b >> t >> f;
    V x = read(in, (long long)b * t * f), dy = read(in, (long long)b * f), y((size_t)b * f), dx((size_t)b * t * f, -7.0f);
    go(jrnn_max_over_steps, b, t, f, (const float*)x.data(), y.data());
    go(jrnn_max_over_steps_bwd, b, t, f, (const float*)x.data(), (const float*)y.data(), (const float*)dy.data(), dx.data());
    print(y);
    print(dx);
    V dx1((size_t)b * t * f, -7.0f);
    go(jrnn_max_over_steps_first_bwd, b, t, f, (const float*)x.data(), (const float*)y.data(), (const float*)dy.data(), dx1.data());
    print(dx1);
}

void random(std::istream& in, bool normal) {
    long long n, seed;
    float rate = 0, mean = 0, stddev = 0;
    in >> n;
    if (normal) in >> mean >> stddev;
    else in >> rate;
    in >> seed;
    V counter = read(in, 2), out((size_t)n, -7.0f);
    if (normal) go(jrnn_normal_noise, n, mean, stddev, seed, (const float*)counter.data(), out.data());
    else go(jrnn_dropout_mask, n, rate, seed, (const float*)counter.data(), out.data());
    one(jrnn_counter_add, counter.data());
    print(out);
    print(counter);
}

void ids(std::istream& in) {
    long long n;
    int vocab;
    in >> n >> vocab;
    V id = read(in, n), out((size_t)n, -7.0f);
    unsigned long long slot = ~0ULL;
    go(jrnn_check_ids, n, (const float*)id.data(), vocab, out.data(), &slot);
    print(out);
    if (slot == ~0ULL) std::printf(" -1 0\n");
    else std::printf(" %lld %.9g\n", (long long)(slot >> 32), __uint_as_float((unsigned)(slot & 0xffffffffu)));
}

void scale(std::istream& in) {
    int mode, parts;
    double param;
    long long n;
    in >> mode >> param >> n >> parts;
    V x = read(in, n);
    std::vector<double> partial((size_t)parts, std::nan(""));
    jrnn_sim::launch(jrnn_sum_partial, dim3{(unsigned)parts, 1, 1}, kBlock, 0, false, n, (const float*)x.data(),
                     mode == 1 ? 1 : 0, partial.data());
    go(jrnn_scale_by_sum, parts, (const double*)partial.data(), mode, param, n, x.data());
    print(x);
}

void adam(std::istream& in) {
    long long n;
    int steps, guarded;
    float lr, b1, b2, eps;
    in >> n >> steps >> lr >> b1 >> b2 >> eps >> guarded;
    V p = read(in, n), g = read(in, n * steps), m = read(in, n), v = read(in, n), step{0, 0, 0};
    float guard = guarded ? 2.0f : 0.0f;
    for (int s = 0; s < steps; ++s) {
        one(jrnn_adam_step, step.data(), lr, b1, b2, (const float*)&guard);
        go(jrnn_adam_t, n, p.data(), (const float*)g.data() + s * n, m.data(), v.data(), (const float*)step.data(),
           1.0f - b1, 1.0f - b2, eps, (const float*)&guard);
    }
    print(p);
    print(m);
    print(v);
    print(step.data(), 2);
}

void sgd(std::istream& in) {
    long long n;
    int steps, nesterov, hasVel;
    float lr, momentum;
    in >> n >> steps >> lr >> momentum >> nesterov >> hasVel;
    V p = read(in, n), g = read(in, n * steps), vel = hasVel ? read(in, n) : V{};
    for (int s = 0; s < steps; ++s) {
        go(jrnn_sgd_guarded, n, p.data(), (const float*)g.data() + s * n, hasVel ? vel.data() : (float*)nullptr, lr,
           momentum, nesterov, (const float*)nullptr);
    }
    print(p);
    if (hasVel) print(vel);
}

void opt(std::istream& in) {
    int kind, steps, has2, has3;
    long long n;
    float lr, h1, h2, eps, wd;
    in >> kind >> n >> steps >> lr >> h1 >> h2 >> eps >> wd >> has2 >> has3;
    V p = read(in, n), g = read(in, n * steps), s1 = read(in, n), s2 = has2 ? read(in, n) : V{}, s3 = has3 ? read(in, n) : V{};
    V step{0, 0, std::nanf(""), std::nanf(""), std::nanf("")};
    const bool counted = kind == JRNN_OPT_ADAMW || kind == JRNN_OPT_NADAM || kind == JRNN_OPT_ADAMAX;
    for (int s = 0; s < steps; ++s) {
        if (counted) one(jrnn_opt_step, kind, step.data(), lr, h1, h2, (const float*)nullptr);
        go(jrnn_opt_update, kind, n, p.data(), (const float*)g.data() + s * n, s1.data(), has2 ? s2.data() : (float*)nullptr,
           has3 ? s3.data() : (float*)nullptr, counted ? (const float*)step.data() : (const float*)nullptr, lr, h1, h2, eps,
           wd, (const float*)nullptr);
    }
    print(p);
    print(s1);
    if (has2) print(s2);
    if (has3) print(s3);
    if (counted) print(step.data(), 2);
}

void guard(std::istream& in) {
    long long n;
    float code, gd;
    in >> n >> code >> gd;
    V x = read(in, n);
    go(jrnn_finite_guard, n, (const float*)x.data(), code, &gd);
    print(&gd, 1);
}

void copyif(std::istream& in) {
    long long n;
    float gd;
    in >> n >> gd;
    V src = read(in, n), dst = read(in, n);
    go(jrnn_copy_if, n, (const float*)&gd, (const float*)src.data(), dst.data());
    print(dst);
}

void rsqrt(std::istream& in) {
    long long n;
    float eps;
    in >> n >> eps;
    V x = read(in, n), y((size_t)n);
    go(jrnn_rsqrt, n, eps, (const float*)x.data(), y.data());
    print(y);
}

void mulrowvec(std::istream& in) {
    int rows, cols;
    in >> rows >> cols;
    V x = read(in, (long long)rows * cols), v = read(in, cols), y((size_t)rows * cols, -7.0f);
    go(jrnn_mul_row_vector, rows, cols, (const float*)x.data(), (const float*)v.data(), y.data());
    print(y);
}

void gather(std::istream& in, bool scatter) {
    int n, dim;
    long long vocab;
    in >> n >> dim >> vocab;
    V idx = read(in, n);
    int err = 0;
    if (!scatter) {
        V table = read(in, vocab * dim), out((size_t)n * dim, -7.0f);
        go(jrnn_gather_rows, n, dim, (const float*)idx.data(), (const float*)table.data(), vocab, out.data(), &err);
        print(out);
    } else {
        V dOut = read(in, (long long)n * dim), dTable = read(in, vocab * dim);
        go(jrnn_scatter_add_rows, n, dim, (const float*)idx.data(), (const float*)dOut.data(), vocab, dTable.data(), &err);
        print(dTable);
    }
    std::printf(" %d\n", err);
}

}  // namespace

int main() {
    jrnn_sim::serial_blocks = true;
    std::string what;
    while (std::cin >> what) {
        if (what == "mask") mask(std::cin);
        else if (what == "mulrows") mulrows(std::cin);
        else if (what == "maxsteps") maxsteps(std::cin);
        else if (what == "dropout") random(std::cin, false);
        else if (what == "noise") random(std::cin, true);
        else if (what == "ids") ids(std::cin);
        else if (what == "scale") scale(std::cin);
        else if (what == "adam") adam(std::cin);
        else if (what == "sgd") sgd(std::cin);
        else if (what == "opt") opt(std::cin);
        else if (what == "guard") guard(std::cin);
        else if (what == "copyif") copyif(std::cin);
        else if (what == "rsqrt") rsqrt(std::cin);
        else if (what == "mulrowvec") mulrowvec(std::cin);
        else if (what == "gather") gather(std::cin, false);
        else if (what == "scatter") gather(std::cin, true);
        else {
            std::fprintf(stderr, "train_sim: unknown problem '%s'\n", what.c_str());
            return 2;
        }
        std::fflush(stdout);
    }
    return 0;
}
