/* A stand-in for libnccl.so.2 (NcclMockTest): records what the FFM binding passes, answers errors on request. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct { char internal[128]; } ncclUniqueId;

static ncclUniqueId last_id;
static int last_nranks = -1, last_rank = -1, aborted, destroyed, groups_open, groups_done, async_error;
static uint64_t last_args[7];
static const char *last_error = "";

int ncclGetVersion(int *v) { *v = 23003; return 0; }

int ncclGetUniqueId(ncclUniqueId *id) {
    for (int i = 0; i < 128; i++) id->internal[i] = (char) (i * 7 + 1);
    return 0;
}

/* The id arrives by value, as in nccl.h: a 128-byte struct copied onto the stack by the caller. */
int ncclCommInitRank(void **comm, int nranks, ncclUniqueId id, int rank) {
    last_id = id;
    last_nranks = nranks;
    last_rank = rank;
    last_error = nranks == 99 ? "nranks 99 refused by the stand-in" : "";
    if (nranks == 99) return 5; /* ncclInvalidUsage */
    *comm = (void *) (uintptr_t) 0x1234;
    return 0;
}

static int record(const void *s, void *r, size_t count, int dt, int op_or_root, void *comm, void *stream) {
    uint64_t a[7] = {(uintptr_t) s, (uintptr_t) r, count, (uint64_t) dt, (uint64_t) op_or_root, (uintptr_t) comm,
                     (uintptr_t) stream};
    memcpy(last_args, a, sizeof a);
    last_error = count == 13 ? "count 13 refused by the stand-in" : "";
    return count == 13 ? 4 /* ncclInvalidArgument */ : 0;
}

int ncclAllReduce(const void *s, void *r, size_t count, int dt, int op, void *comm, void *stream) {
    return record(s, r, count, dt, op, comm, stream);
}

int ncclBroadcast(const void *s, void *r, size_t count, int dt, int root, void *comm, void *stream) {
    return record(s, r, count, dt, root, comm, stream);
}

int ncclGroupStart(void) { groups_open++; return 0; }
int ncclGroupEnd(void) { groups_open--; groups_done++; return 0; }
int ncclCommAbort(void *comm) { aborted++; return 0; }
int ncclCommDestroy(void *comm) { destroyed++; return 0; }
int ncclCommGetAsyncError(void *comm, int *e) { *e = async_error; return 0; }

const char *ncclGetErrorString(int r) {
    switch (r) {
        case 4: return "invalid argument (run with NCCL_DEBUG=WARN for details)";
        case 5: return "invalid usage (run with NCCL_DEBUG=WARN for details)";
        default: return "unknown result";
    }
}

const char *ncclGetLastError(void *comm) { return last_error; }

/* probes for the test */
void mock_last_id(char *out) { memcpy(out, last_id.internal, 128); }
int mock_last_nranks(void) { return last_nranks; }
int mock_last_rank(void) { return last_rank; }
uint64_t mock_arg(int i) { return last_args[i]; }
int mock_groups_done(void) { return groups_done; }
int mock_aborted(void) { return aborted; }
void mock_set_async_error(int e) { async_error = e; }
