// A CPU model of the little of CUDA that the kernels of kernels/*.cu use, force-included (g++ -include) in
// front of them so they compile as C++ and run on a machine without a GPU (the harnesses *_sim_main.cpp).
//
// Every thread of every CTA is a host thread (pthread). __syncthreads is a barrier of the CTA's
// threads, the grid barrier one of all threads of the launch. Dynamic shared memory is one heap block
// per CTA of exactly the launch's size, filled with NaN bytes (0xff) so that a read of something never
// written shows up as NaN in the outputs. A cp.async fills its destination with NaN at once and copies
// the data at the cp.async.wait_group that covers it, so a read that forgets its wait sees NaN; a wait with
// uncommitted copies, or copies still pending when the thread exits, aborts. A watchdog aborts a
// launch that deadlocks (a barrier not reached by every thread). With -fsanitize=address, indexing past
// a global buffer or past the shared-memory block is reported; with -fsanitize=thread, an access pair
// not ordered by a barrier (a missing __syncthreads) is reported as a data race (the sanitizer builds are
// PersistentKernelSimTest's; the per-call harnesses build with -O1 only).
//
// Not modelled, so a kernel can pass here and still be wrong on a GPU (its GPU test is the judge):
//  - races between blocks of a launch when serial_blocks runs them one after another (non-atomic writes of
//    two blocks to one place, a block reading another's output); there is no __threadfence;
//  - static __shared__ arrays are function statics: zero at start, then holding the last block's values,
//    where dynamic shared memory is NaN; a kernel that reads its static scratch before writing it passes;
//  - every __syncthreads of a block meets at one barrier, so threads waiting at different call sites (a
//    divergent barrier, undefined on the GPU) release each other;
//  - atomics are serialised by one lock (a fixed order of float additions), and accept types CUDA has no
//    overload for.
#pragma once
#define JRNN_SIM 1

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(n) alignas(n)

struct alignas(16) float4 { float x, y, z, w; };
struct alignas(8) float2 { float x, y; };
struct alignas(8) uint2 { unsigned x, y; };
struct dim3 { unsigned x = 1, y = 1, z = 1; };

inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }

namespace jrnn_sim {

struct Copy { void* dst; const void* src; unsigned n; };

// The 32 lanes of one warp meet here for a warp-wide instruction (mma.sync, __shfl_xor_sync).
struct Warp {
    std::unique_ptr<std::barrier<>> bar;
    unsigned a[32][4];
    unsigned b[32][2];
    unsigned long long xch[32];
};

struct Block {
    std::unique_ptr<std::barrier<>> bar;
    int vote = 0;  // __syncthreads_or's accumulator
    std::vector<unsigned char> smem;
    std::vector<Warp> warps;
};

struct Thread {
    dim3 tid, bid, bdim, gdim;
    Block* block = nullptr;
    std::barrier<>* grid = nullptr;
    std::vector<Copy> open;
    std::deque<std::vector<Copy>> committed;
};

inline thread_local Thread tc;

// When set, a launch that is not cooperative runs its blocks one after another (a schedule the GPU may pick:
// blocks of a plain launch have no order and cannot wait for each other), so a kernel's static __shared__
// arrays (function statics here) are the running block's own and multi-block grid-stride launches are modelled.
inline bool serial_blocks = false;

[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "cuda_sim: %s (block %u,%u thread %u)\n", what, tc.bid.x, tc.bid.y, tc.tid.x);
    std::fflush(stderr);
    std::abort();
}

inline unsigned char* smem() { return tc.block->smem.data(); }
inline unsigned smem_bytes() { return (unsigned)tc.block->smem.size(); }
inline void syncthreads() { tc.block->bar->arrive_and_wait(); }
// __syncthreads_or: a barrier that returns non-zero to every thread of the block when any thread's predicate
// was non-zero. Three meetings: the previous call's reset is done before anyone votes, every vote is in before
// anyone reads, every read is done before thread 0 resets.
inline int syncthreads_or(int predicate);
inline void grid_sync() {
    if (tc.grid == nullptr) fail("grid barrier in a launch that is not cooperative");
    tc.grid->arrive_and_wait();
}
inline void cp_async(void* dst, const void* src, unsigned n) {
    if (((uintptr_t)dst % n) != 0 || ((uintptr_t)src % n) != 0) fail("cp.async with a misaligned address");
    // Until the wait that covers it, the destination holds nothing defined: model that with NaN bytes,
    // written now (so a reader not ordered after the wait sees NaN, and TSan sees the write-after-read).
    std::memset(dst, 0xff, n);
    tc.open.push_back({dst, src, n});
}
inline void cp_commit() {
    tc.committed.push_back(std::move(tc.open));
    tc.open.clear();
}
inline void cp_wait(int n) {
    if (!tc.open.empty()) fail("cp.async.wait_group with copies that were never committed");
    while ((int)tc.committed.size() > n) {
        for (const Copy& c : tc.committed.front()) std::memcpy(c.dst, c.src, c.n);
        tc.committed.pop_front();
    }
}

// mma.sync emulation: every lane deposits its fragments, the warp meets, each lane rebuilds the whole
// A and B tiles from all lanes' fragments with the PTX/CUTLASS layouts (g = lane/4, t = lane%4) and
// computes its own four outputs in double; a second meeting lets the buffers be reused. A warp whose
// lanes do not all arrive deadlocks here, as divergent mma.sync is undefined on the GPU.
inline Warp& warp_enter(const unsigned* a, const unsigned* b, int& lane) {
    const unsigned tid = tc.tid.x + tc.bdim.x * (tc.tid.y + tc.bdim.y * tc.tid.z);
    if (tc.bdim.x * tc.bdim.y * tc.bdim.z % 32 != 0) fail("mma.sync in a block that is not whole warps");
    Warp& w = tc.block->warps[tid / 32];
    lane = (int)(tid % 32);
    for (int i = 0; i < 4; ++i) w.a[lane][i] = a[i];
    for (int i = 0; i < 2; ++i) w.b[lane][i] = b[i];
    w.bar->arrive_and_wait();
    return w;
}

// __shfl_xor_sync over the full warp: every lane deposits its value, the warp meets, each lane reads its
// partner's, and a second meeting lets the slots be reused. Lanes that do not all arrive deadlock (the
// watchdog reports it), as a shuffle that names absent lanes is undefined on the GPU.
template <class T>
inline T shfl_xor(unsigned mask, T v, int offset) {
    static_assert(sizeof(T) <= 8, "a shuffle moves at most 8 bytes");
    if (mask != 0xffffffffu) fail("__shfl_xor_sync with a partial mask");
    const unsigned tid = tc.tid.x + tc.bdim.x * (tc.tid.y + tc.bdim.y * tc.tid.z);
    if (tc.bdim.x * tc.bdim.y * tc.bdim.z % 32 != 0) fail("__shfl_xor_sync in a block that is not whole warps");
    if (offset < 0 || offset > 31) fail("__shfl_xor_sync lane offset outside the warp");
    Warp& w = tc.block->warps[tid / 32];
    const unsigned lane = tid % 32;
    std::memcpy(&w.xch[lane], &v, sizeof(T));
    w.bar->arrive_and_wait();
    T r;
    std::memcpy(&r, &w.xch[lane ^ (unsigned)offset], sizeof(T));
    w.bar->arrive_and_wait();
    return r;
}

// Device atomics: one lock for all of them (correct, not fast).
inline std::mutex& atomic_lock() {
    static std::mutex m;
    return m;
}

inline double tf32_value(unsigned bits) {  // the tensor core reads 19 bits of a tf32 operand
    float f;
    bits &= 0xffffe000u;
    std::memcpy(&f, &bits, 4);
    return f;
}

inline double bf16_value(unsigned half) {
    unsigned bits = half << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

inline void mma_out(float* d, int lane, double A[16][16], double B[16][8], int K) {
    const int g = lane / 4, t = lane % 4;
    const int rows[4] = {g, g, g + 8, g + 8}, cols[4] = {2 * t, 2 * t + 1, 2 * t, 2 * t + 1};
    for (int i = 0; i < 4; ++i) {
        double s = d[i];
        for (int k = 0; k < K; ++k) s += A[rows[i]][k] * B[k][cols[i]];
        d[i] = (float)s;
    }
}

inline void mma_tf32(float* d, const unsigned* a, const unsigned* b) {
    int lane;
    Warp& w = warp_enter(a, b, lane);
    double A[16][16] = {}, B[16][8] = {};
    for (int L = 0; L < 32; ++L) {
        const int g = L / 4, t = L % 4;
        A[g][t] = tf32_value(w.a[L][0]);
        A[g + 8][t] = tf32_value(w.a[L][1]);
        A[g][t + 4] = tf32_value(w.a[L][2]);
        A[g + 8][t + 4] = tf32_value(w.a[L][3]);
        B[t][g] = tf32_value(w.b[L][0]);
        B[t + 4][g] = tf32_value(w.b[L][1]);
    }
    mma_out(d, lane, A, B, 8);
    w.bar->arrive_and_wait();
}

inline void mma_bf16(float* d, const unsigned* a, const unsigned* b) {
    int lane;
    Warp& w = warp_enter(a, b, lane);
    double A[16][16] = {}, B[16][8] = {};
    for (int L = 0; L < 32; ++L) {
        const int g = L / 4, t = L % 4;
        for (int r = 0; r < 4; ++r)
            for (int h = 0; h < 2; ++h)
                A[g + 8 * (r % 2)][2 * t + 8 * (r / 2) + h] = bf16_value((w.a[L][r] >> (16 * h)) & 0xffffu);
        for (int r = 0; r < 2; ++r)
            for (int h = 0; h < 2; ++h) B[2 * t + 8 * r + h][g] = bf16_value((w.b[L][r] >> (16 * h)) & 0xffffu);
    }
    mma_out(d, lane, A, B, 16);
    w.bar->arrive_and_wait();
}

struct Start {
    std::function<void()> body;
    Thread init;
};

inline void* thread_main(void* p) {
    Start* s = static_cast<Start*>(p);
    tc = s->init;
    s->body();
    if (!tc.open.empty() || !tc.committed.empty()) fail("thread exited with cp.async copies never waited for");
    return nullptr;
}

// Runs kernel(args...) on grid x block threads with `smemBytes` of dynamic shared memory per CTA.
// cooperative = false leaves the grid barrier unavailable (as a plain launch would).
template <class... P, class... A>
void launch(void (*kernel)(P...), dim3 grid, dim3 block, unsigned smemBytes, bool cooperative, A... args) {
    const unsigned nBlocks = grid.x * grid.y * grid.z, nThreads = block.x * block.y * block.z;
    const unsigned total = nBlocks * nThreads;
    std::barrier<> gridBar((std::ptrdiff_t)total);
    std::vector<Block> blocks(nBlocks);
    for (Block& b : blocks) {
        b.bar = std::make_unique<std::barrier<>>((std::ptrdiff_t)nThreads);
        b.smem.assign(smemBytes, 0xff);
        b.warps.resize((nThreads + 31) / 32);
        for (unsigned w = 0; w < b.warps.size(); ++w) {
            const unsigned lanes = std::min(32u, nThreads - 32 * w);
            b.warps[w].bar = std::make_unique<std::barrier<>>((std::ptrdiff_t)lanes);
        }
    }
    std::vector<Start> starts(total);
    std::vector<pthread_t> ids(total);
    std::function<void()> body = [=] { kernel(args...); };
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1 << 20);
    // The watchdog waits on a condition variable, so a launch's end wakes it at once (no polling delay per launch).
    struct Dog {
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
    } d;
    pthread_t dog;
    pthread_create(&dog, nullptr, [](void* p) -> void* {
        auto* dd = static_cast<Dog*>(p);
        std::unique_lock<std::mutex> lock(dd->m);
        if (!dd->cv.wait_for(lock, std::chrono::seconds(120), [dd] { return dd->done; })) {
            std::fprintf(stderr, "cuda_sim: launch still running after 120 s: deadlock (a barrier some threads never reach)\n");
            std::fflush(stderr);
            std::abort();
        }
        return nullptr;
    }, &d);
    unsigned i = 0;
    for (unsigned bz = 0; bz < grid.z; ++bz)
        for (unsigned by = 0; by < grid.y; ++by)
            for (unsigned bx = 0; bx < grid.x; ++bx) {
                Block* blk = &blocks[(bz * grid.y + by) * grid.x + bx];
                for (unsigned t = 0; t < nThreads; ++t, ++i) {
                    Start& s = starts[i];
                    s.body = body;
                    s.init.tid = dim3{t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
                    s.init.bid = dim3{bx, by, bz};
                    s.init.bdim = block;
                    s.init.gdim = grid;
                    s.init.block = blk;
                    s.init.grid = cooperative ? &gridBar : nullptr;
                    if (pthread_create(&ids[i], &attr, thread_main, &s) != 0) {
                        std::fprintf(stderr, "cuda_sim: cannot start thread %u of %u\n", i, total);
                        std::abort();
                    }
                }
                if (serial_blocks && !cooperative) {
                    for (unsigned k = i - nThreads; k < i; ++k) pthread_join(ids[k], nullptr);
                }
            }
    if (!(serial_blocks && !cooperative)) {
        for (unsigned k = 0; k < total; ++k) pthread_join(ids[k], nullptr);
    }
    {
        std::lock_guard<std::mutex> lock(d.m);
        d.done = true;
    }
    d.cv.notify_all();
    pthread_join(dog, nullptr);
    pthread_attr_destroy(&attr);
}

}  // namespace jrnn_sim

#define threadIdx (jrnn_sim::tc.tid)
#define blockIdx (jrnn_sim::tc.bid)
#define blockDim (jrnn_sim::tc.bdim)
#define gridDim (jrnn_sim::tc.gdim)
inline void __syncthreads() { jrnn_sim::syncthreads(); }
using std::max;  // CUDA's global min / max overloads
using std::min;
template <class T>
inline T __shfl_xor_sync(unsigned mask, T v, int offset) { return jrnn_sim::shfl_xor(mask, v, offset); }
template <class T>
inline T atomicAdd(T* a, T v) {
    std::lock_guard<std::mutex> g(jrnn_sim::atomic_lock());
    T old = *a;
    *a = old + v;
    return old;
}
template <class T>
inline T atomicMin(T* a, T v) {
    std::lock_guard<std::mutex> g(jrnn_sim::atomic_lock());
    T old = *a;
    if (v < old) *a = v;
    return old;
}
// atomicCAS: *a = (*a == compare ? v : *a), returning the old value.
template <class T>
inline T atomicCAS(T* a, T compare, T v) {
    std::lock_guard<std::mutex> g(jrnn_sim::atomic_lock());
    T old = *a;
    if (old == compare) *a = v;
    return old;
}
inline int jrnn_sim::syncthreads_or(int predicate) {
    Block* b = tc.block;
    b->bar->arrive_and_wait();
    if (predicate) {
        std::lock_guard<std::mutex> g(atomic_lock());
        b->vote = 1;
    }
    b->bar->arrive_and_wait();
    int r;
    {
        std::lock_guard<std::mutex> g(atomic_lock());
        r = b->vote;
    }
    b->bar->arrive_and_wait();
    if (tc.tid.x == 0 && tc.tid.y == 0 && tc.tid.z == 0) {
        std::lock_guard<std::mutex> g(atomic_lock());
        b->vote = 0;
    }
    return r;
}
inline int __syncthreads_or(int predicate) { return jrnn_sim::syncthreads_or(predicate); }
inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
// rsqrtf: CUDA's is within 2 ulp of 1/sqrt(x); the model rounds twice (within 1 ulp), as close as the float tests ask.
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
using std::isfinite;
// A kernel's static __shared__ arrays become function statics: shared by every thread of the launch, so
// a kernel that declares one is only modelled right in a launch of one block, or of several with
// jrnn_sim::serial_blocks set (a block runs only after the previous one ended). The persistent kernels use
// dynamic shared memory only.
#define __shared__ static
