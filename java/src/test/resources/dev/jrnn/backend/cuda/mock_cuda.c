/*
 * A stand-in for libcuda.so.1, for testing the FFM bindings on machines without a GPU.
 * "Device memory" is host memory, kernels are two C functions run on the host, graphs replay recorded
 * launches. It checks what a binding can get wrong: argument order and widths, out-parameters,
 * NUL-terminated images, the JIT log option, kernelParams marshalling, status codes.
 * Built by MockCudaTest with the system C compiler; its soname is not libcuda.so.1, so it never shadows
 * a real driver in the same process.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef uint64_t CUdeviceptr;

#define OK 0
#define INVALID_VALUE 1
#define OUT_OF_MEMORY 2
#define INVALID_PTX 218
#define INVALID_HANDLE 400
#define NOT_FOUND 500
#define CAPTURE_UNSUPPORTED 900

static const uint64_t TOTAL = 80ull << 30;
static uint64_t allocated = 0;
static int initialized = 0;
static uint64_t current_ctx = 0;

CUresult cuGetErrorName(CUresult e, const char **s) {
    switch (e) {
    case 0: *s = "CUDA_SUCCESS"; return OK;
    case 1: *s = "CUDA_ERROR_INVALID_VALUE"; return OK;
    case 2: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return OK;
    case 201: *s = "CUDA_ERROR_INVALID_CONTEXT"; return OK;
    case 218: *s = "CUDA_ERROR_INVALID_PTX"; return OK;
    case 400: *s = "CUDA_ERROR_INVALID_HANDLE"; return OK;
    case 500: *s = "CUDA_ERROR_NOT_FOUND"; return OK;
    case 900: *s = "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"; return OK;
    default: *s = 0; return INVALID_VALUE;
    }
}

CUresult cuGetErrorString(CUresult e, const char **s) {
    switch (e) {
    case 2: *s = "out of memory"; return OK;
    case 218: *s = "a PTX JIT compilation failed"; return OK;
    case 500: *s = "named symbol not found"; return OK;
    default: *s = 0; return INVALID_VALUE;
    }
}

CUresult cuInit(unsigned flags) { if (flags != 0) return INVALID_VALUE; initialized = 1; return OK; }
CUresult cuDriverGetVersion(int *v) { *v = 13000; return OK; }
CUresult cuDeviceGetCount(int *c) { *c = initialized ? 1 : 0; return OK; }
CUresult cuDeviceGet(int *d, int ordinal) { if (ordinal != 0) return 101; *d = 0; return OK; }
CUresult cuDeviceGetName(char *name, int len, int dev) {
    if (dev != 0 || len < 9) return INVALID_VALUE;
    strcpy(name, "Mock GPU");
    return OK;
}
CUresult cuDeviceTotalMem_v2(size_t *b, int dev) { if (dev != 0) return 101; *b = TOTAL; return OK; }
CUresult cuDeviceGetAttribute(int *v, int attr, int dev) {
    if (dev != 0) return 101;
    switch (attr) {
    case 75: *v = 9; break;        /* compute capability major */
    case 76: *v = 0; break;        /* minor */
    case 16: *v = 132; break;      /* SMs */
    case 95: *v = 1; break;        /* cooperative launch */
    case 97: *v = 232448; break;   /* max shared memory per block (opt-in) */
    default: *v = 0;
    }
    return OK;
}
CUresult cuDevicePrimaryCtxRetain(uint64_t *ctx, int dev) { if (dev != 0) return 101; *ctx = 0xC0; return OK; }
CUresult cuCtxSetCurrent(uint64_t ctx) { if (ctx != 0xC0) return 201; current_ctx = ctx; return OK; }
CUresult cuCtxSynchronize(void) { return current_ctx ? OK : 201; }

/* Every allocation remembers its size just before the returned address. */
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
    if (!current_ctx) return 201;
    if (bytes == 0) return INVALID_VALUE;
    if (bytes > TOTAL - allocated) return OUT_OF_MEMORY;
    uint64_t *b = malloc(bytes + 256);
    if (!b) return OUT_OF_MEMORY;
    b[0] = bytes;
    allocated += bytes;
    *p = (CUdeviceptr)(uintptr_t)((char *)b + 256);
    return OK;
}
CUresult cuMemFree_v2(CUdeviceptr p) {
    if (!p) return INVALID_VALUE;
    uint64_t *b = (uint64_t *)((char *)(uintptr_t)p - 256);
    allocated -= b[0];
    free(b);
    return OK;
}
/* Host blocks carry a tag: cuMemHostAlloc's are counted (live blocks), so tests see every page-locked
 * buffer freed; cuMemAllocHost_v2's (the staging buffers) are not. */
static int host_live = 0;
static CUresult host_block(void **p, size_t bytes, uint64_t tag) {
    uint64_t *b = malloc(bytes + 16);
    if (!b) return OUT_OF_MEMORY;
    b[0] = tag;
    *p = (char *)b + 16;
    return OK;
}
CUresult cuMemAllocHost_v2(void **p, size_t bytes) { return host_block(p, bytes, 1); }
CUresult cuMemHostAlloc(void **p, size_t bytes, unsigned flags) {
    if (flags > 7 || bytes == 0) return INVALID_VALUE;
    CUresult r = host_block(p, bytes, 2);
    if (r == OK) host_live++;
    return r;
}
CUresult cuMemFreeHost(void *p) {
    if (!p) return INVALID_VALUE;
    uint64_t *b = (uint64_t *)((char *)p - 16);
    if (b[0] != 1 && b[0] != 2) return INVALID_VALUE;
    if (b[0] == 2) host_live--;
    b[0] = 0;
    free(b);
    return OK;
}
int mock_host_live(void) { return host_live; }
CUresult cuMemGetInfo_v2(size_t *f, size_t *t) { *f = TOTAL - allocated; *t = TOTAL; return OK; }

static uint64_t capturing = 0;  /* stream being captured, 0 = none */
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void *s, size_t n, uint64_t stream) {
    if (capturing && capturing == stream) return CAPTURE_UNSUPPORTED;
    memcpy((void *)(uintptr_t)d, s, n); return OK;
}
CUresult cuMemcpyDtoHAsync_v2(void *d, CUdeviceptr s, size_t n, uint64_t stream) {
    if (capturing && capturing == stream) return CAPTURE_UNSUPPORTED;
    memcpy(d, (void *)(uintptr_t)s, n); return OK;
}
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr d, CUdeviceptr s, size_t n, uint64_t stream) {
    (void)stream; memmove((void *)(uintptr_t)d, (void *)(uintptr_t)s, n); return OK;
}
CUresult cuMemsetD32Async(CUdeviceptr d, unsigned v, size_t n, uint64_t stream) {
    (void)stream; uint32_t *p = (uint32_t *)(uintptr_t)d;
    for (size_t i = 0; i < n; i++) p[i] = v;
    return OK;
}

static uint64_t next_handle = 0x5000;
CUresult cuStreamCreate(uint64_t *s, unsigned flags) { if (flags > 1) return INVALID_VALUE; *s = next_handle++; return OK; }
CUresult cuStreamIsCapturing(uint64_t s, int *status) { *status = capturing && capturing == s ? 1 : 0; return OK; }
static int event_records = 0, event_syncs = 0;   /* for the staging-buffer bookkeeping test */
CUresult cuStreamSynchronize(uint64_t s) { return capturing && capturing == s ? CAPTURE_UNSUPPORTED : OK; }
CUresult cuStreamDestroy_v2(uint64_t s) { return s ? OK : INVALID_HANDLE; }
CUresult cuEventCreate(uint64_t *e, unsigned flags) { (void)flags; *e = next_handle++; return OK; }
CUresult cuEventRecord(uint64_t e, uint64_t s) { (void)s; if (!e) return INVALID_HANDLE; event_records++; return OK; }
CUresult cuEventSynchronize(uint64_t e) { if (!e) return INVALID_HANDLE; event_syncs++; return OK; }
/* Only the plain name is exported, as on drivers before CUDA 12.8: the binding must fall back to it. */
CUresult cuEventElapsedTime(float *ms, uint64_t a, uint64_t b) {
    if (!a || !b) return INVALID_HANDLE;
    *ms = (float)(b - a) * 0.5f;
    return OK;
}
CUresult cuEventDestroy_v2(uint64_t e) { return e ? OK : INVALID_HANDLE; }
static int stream_waits = 0;
CUresult cuStreamWaitEvent(uint64_t s, uint64_t e, unsigned flags) {
    if (!s || !e) return INVALID_HANDLE;
    if (flags != 0) return INVALID_VALUE;
    stream_waits++;
    return OK;
}
int mock_stream_waits(void) { return stream_waits; }

/* Modules: the image must be NUL-terminated text starting with "//mock"; "//mock-bad" fails with a log. */
CUresult cuModuleLoadDataEx(uint64_t *m, const void *image, unsigned n, int *opts, void **vals) {
    const char *s = image;
    if (strncmp(s, "//mock-bad", 10) == 0) {
        char *log = 0; size_t size = 0;
        for (unsigned i = 0; i < n; i++) {
            if (opts[i] == 5) log = vals[i];
            if (opts[i] == 6) size = (size_t)(uintptr_t)vals[i];
        }
        if (log && size > 40) strcpy(log, "ptxas mock: syntax error at line 3");
        return INVALID_PTX;
    }
    if (strncmp(s, "//mock", 6) != 0 || strlen(s) > 1000000) return 200;
    *m = 0x3000;
    return OK;
}
CUresult cuModuleUnload(uint64_t m) { return m == 0x3000 ? OK : INVALID_HANDLE; }
CUresult cuModuleGetFunction(uint64_t *f, uint64_t m, const char *name) {
    if (m != 0x3000) return INVALID_HANDLE;
    if (strcmp(name, "axpy") == 0) { *f = 1; return OK; }
    if (strcmp(name, "fill_i64") == 0) { *f = 2; return OK; }
    return NOT_FOUND;
}
static int max_dyn_smem = 0;
CUresult cuFuncSetAttribute(uint64_t f, int attr, int v) {
    if (f != 1 && f != 2) return INVALID_HANDLE;
    if (attr == 8) { if (v > 232448) return INVALID_VALUE; max_dyn_smem = v; }
    return OK;
}
CUresult cuFuncGetAttribute(int *v, int attr, uint64_t f) {
    if (f != 1 && f != 2) return INVALID_HANDLE;
    *v = attr == 8 ? max_dyn_smem : attr == 4 ? 32 : attr == 0 ? 1024 : 0;
    return OK;
}

/* Kernels. axpy(float* y, const float* x, float a, int n): y[i] += a*x[i].
 * fill_i64(float* y, int n, long long base): y[i] = base + i. Threads beyond the grid do nothing. */
typedef struct { uint64_t fn, y, x; float a; int n; int64_t base; uint64_t threads; } Launch;

static void run(const Launch *l) {
    float *y = (float *)(uintptr_t)l->y;
    const float *x = (const float *)(uintptr_t)l->x;
    for (uint64_t i = 0; i < (uint64_t)l->n && i < l->threads; i++) {
        if (l->fn == 1) y[i] += l->a * x[i];
        else y[i] = (float)(l->base + (int64_t)i);
    }
}

typedef struct { int count; Launch launches[64]; } Graph;
static Graph *capture_graph = 0;

static CUresult launch(uint64_t f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                       unsigned smem, uint64_t stream, void **params) {
    if (f != 1 && f != 2) return INVALID_HANDLE;
    if (!gx || !gy || !gz || !bx || !by || !bz || bx * by * bz > 1024) return INVALID_VALUE;
    if (smem > 49152 && (int)smem > max_dyn_smem) return INVALID_VALUE;
    if (!params) return INVALID_VALUE;
    Launch l = {0};
    l.fn = f;
    l.threads = (uint64_t)gx * gy * gz * bx * by * bz;
    if (f == 1) {
        l.y = *(uint64_t *)params[0]; l.x = *(uint64_t *)params[1];
        l.a = *(float *)params[2]; l.n = *(int *)params[3];
    } else {
        l.y = *(uint64_t *)params[0]; l.n = *(int *)params[1]; l.base = *(int64_t *)params[2];
    }
    if (capturing && capturing == stream) {
        if (capture_graph->count == 64) return OUT_OF_MEMORY;
        capture_graph->launches[capture_graph->count++] = l;
        return OK;
    }
    run(&l);
    return OK;
}

CUresult cuLaunchKernel(uint64_t f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned smem, uint64_t stream, void **params, void **extra) {
    if (extra) return INVALID_VALUE;
    return launch(f, gx, gy, gz, bx, by, bz, smem, stream, params);
}
CUresult cuLaunchCooperativeKernel(uint64_t f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                   unsigned bz, unsigned smem, uint64_t stream, void **params) {
    if ((uint64_t)gx * gy * gz > 132ull * 4) return 720;   /* COOPERATIVE_LAUNCH_TOO_LARGE */
    return launch(f, gx, gy, gz, bx, by, bz, smem, stream, params);
}
CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int *n, uint64_t f, int block, size_t smem) {
    if (f != 1 && f != 2) return INVALID_HANDLE;
    if (block <= 0 || block > 1024) return INVALID_VALUE;
    *n = (int)(2048 / block) - (smem > 100000 ? 1 : 0);
    return OK;
}

CUresult cuStreamBeginCapture_v2(uint64_t s, int mode) {
    if (capturing || mode < 0 || mode > 2) return INVALID_VALUE;
    capturing = s;
    capture_graph = calloc(1, sizeof(Graph));
    return OK;
}
CUresult cuStreamEndCapture(uint64_t s, uint64_t *g) {
    if (!capturing || capturing != s) return 903;  /* STREAM_CAPTURE_UNMATCHED */
    *g = (uint64_t)(uintptr_t)capture_graph;
    capturing = 0;
    capture_graph = 0;
    return OK;
}
CUresult cuGraphInstantiateWithFlags(uint64_t *exec, uint64_t g, unsigned long long flags) {
    if (!g || flags) return INVALID_VALUE;
    Graph *copy = malloc(sizeof(Graph));
    memcpy(copy, (Graph *)(uintptr_t)g, sizeof(Graph));
    *exec = (uint64_t)(uintptr_t)copy;
    return OK;
}
CUresult cuGraphLaunch(uint64_t exec, uint64_t s) {
    (void)s;
    Graph *g = (Graph *)(uintptr_t)exec;
    if (!g) return INVALID_HANDLE;
    for (int i = 0; i < g->count; i++) run(&g->launches[i]);
    return OK;
}
CUresult cuGraphDestroy(uint64_t g) { if (!g) return INVALID_HANDLE; free((void *)(uintptr_t)g); return OK; }
CUresult cuGraphExecDestroy(uint64_t e) { if (!e) return INVALID_HANDLE; free((void *)(uintptr_t)e); return OK; }

int mock_event_records(void) { return event_records; }
int mock_event_syncs(void) { return event_syncs; }

/* Bytes the mock device has handed out (tests check that close() gives everything back). */
uint64_t mock_allocated(void) { return allocated; }
