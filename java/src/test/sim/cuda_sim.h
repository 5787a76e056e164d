// A CPU model of the little of CUDA that kernels/persistent_*.cu use, force-included (g++ -include) in
// front of them so they compile as C++ and run on a machine without a GPU.
//
// Every thread of every CTA is a host thread (pthread). __syncthreads is a barrier of the CTA's
// threads, the grid barrier one of all threads of the launch. Dynamic shared memory is one heap block
// per CTA of exactly the launch's size, filled with NaN bytes (0xff) so that a read of something never
// written shows up as NaN in the outputs. A cp.async fills its destination with NaN at once and copies
// the data at the cp.async.wait_group that covers it, so a read that forgets its wait sees NaN; a wait with
// uncommitted copies, or copies still pending when the thread exits, aborts. A watchdog aborts a
// launch that deadlocks (a barrier not reached by every thread). With -fsanitize=address, indexing past
// a global buffer or past the shared-memory block is reported; with -fsanitize=thread, an access pair
// not ordered by a barrier (a missing __syncthreads) is reported as a data race.
#pragma once
#define JRNN_SIM 1

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(n) alignas(n)

struct alignas(16) float4 { float x, y, z, w; };
struct alignas(8) uint2 { unsigned x, y; };
struct dim3 { unsigned x = 1, y = 1, z = 1; };

inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }

namespace jrnn_sim {

struct Copy { void* dst; const void* src; unsigned n; };

struct Block {
    std::unique_ptr<std::barrier<>> bar;
    std::vector<unsigned char> smem;
};

struct Thread {
    dim3 tid, bid, bdim, gdim;
    Block* block = nullptr;
    std::barrier<>* grid = nullptr;
    std::vector<Copy> open;
    std::deque<std::vector<Copy>> committed;
};

inline thread_local Thread tc;

[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "cuda_sim: %s (block %u,%u thread %u)\n", what, tc.bid.x, tc.bid.y, tc.tid.x);
    std::fflush(stderr);
    std::abort();
}

inline unsigned char* smem() { return tc.block->smem.data(); }
inline unsigned smem_bytes() { return (unsigned)tc.block->smem.size(); }
inline void syncthreads() { tc.block->bar->arrive_and_wait(); }
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
    }
    std::vector<Start> starts(total);
    std::vector<pthread_t> ids(total);
    std::function<void()> body = [=] { kernel(args...); };
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1 << 20);
    std::atomic<bool> done{false};
    pthread_t dog;
    struct Dog { std::atomic<bool>* done; };
    Dog d{&done};
    pthread_create(&dog, nullptr, [](void* p) -> void* {
        auto* dd = static_cast<Dog*>(p);
        for (int i = 0; i < 1200 && !dd->done->load(); ++i) usleep(100000);
        if (!dd->done->load()) {
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
            }
    for (unsigned k = 0; k < total; ++k) pthread_join(ids[k], nullptr);
    done = true;
    pthread_join(dog, nullptr);
    pthread_attr_destroy(&attr);
}

}  // namespace jrnn_sim

#define threadIdx (jrnn_sim::tc.tid)
#define blockIdx (jrnn_sim::tc.bid)
#define blockDim (jrnn_sim::tc.bdim)
#define gridDim (jrnn_sim::tc.gdim)
inline void __syncthreads() { jrnn_sim::syncthreads(); }
