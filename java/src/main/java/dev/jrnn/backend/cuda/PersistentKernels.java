package dev.jrnn.backend.cuda;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The persistent kernels of {@code kernels/persistent_rnn.cu} (jrnn_persist_{rnn,lstm,gru}_{fwd,bwd}_{prec}[_tc]):
 * resolved by name on first use, with the dynamic shared-memory limit raised and co-residency checked for each
 * plan ({@link #prepare}), and launched cooperatively through the two typed launchers, one per macro
 * (JRNN_PERSIST_FWD, JRNN_PERSIST_BWD) that declares every kernel of a direction.
 */
class PersistentKernels extends KernelModule {
    private final int multiprocessors;
    private final ConcurrentHashMap<String, Long> functions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Integer> smemSet = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Boolean> coResident = new ConcurrentHashMap<>();

    PersistentKernels(CudaDriver driver, long module, int multiprocessors) {
        super(driver, module);
        this.multiprocessors = multiprocessors;
    }

    /** Every forward kernel (JRNN_PERSIST_FWD in persistent_rnn.cu); {@code fn} from {@link #prepare}. */
    @Kernel("jrnn_persist_rnn_fwd_fp32")
    void forward(long fn, Grid grid, int T, int B, int H, int S, int Bg, int NC, int act, int recAct, @Ptr long U,
                 @Ptr long P, @Ptr long RP, @Ptr long bRec, @Ptr long h0, @Ptr long c0, @Ptr long mask, @Ptr long hSeq,
                 @Ptr long cSeq) {
        launch(fn, grid, T, B, H, S, Bg, NC, act, recAct, U, P, RP, bRec, h0, c0, mask, hSeq, cSeq);
    }

    /** Every backward kernel (JRNN_PERSIST_BWD in persistent_rnn.cu); {@code fn} from {@link #prepare}. */
    @Kernel("jrnn_persist_rnn_bwd_fp32")
    void backward(long fn, Grid grid, int T, int B, int H, int S, int Bg, int NC, int act, int recAct, int tbptt,
                  @Ptr long U, @Ptr long P, @Ptr long RP, @Ptr long h0, @Ptr long hSeq, @Ptr long c0, @Ptr long cSeq,
                  @Ptr long dy, @Ptr long dhT, @Ptr long dcT, @Ptr long mask, @Ptr long dP, @Ptr long dRP,
                  @Ptr long dh0, @Ptr long dc0) {
        launch(fn, grid, T, B, H, S, Bg, NC, act, recAct, tbptt, U, P, RP, h0, hSeq, c0, cSeq, dy, dhT, dcT, mask, dP,
                dRP, dh0, dc0);
    }

    /** The cooperative launch shape of {@code plan} on {@code stream}. */
    static Grid grid(PersistentRnn.Plan plan, long stream) {
        return new Grid(plan.gridX(), plan.gridY(), plan.threads(), 1, plan.sharedBytes(), stream, true);
    }

    /**
     * The plan's kernel with its dynamic shared-memory limit raised to the plan's, or 0 when the plan's grid could
     * not be co-resident on the device (a cooperative launch would fail): the caller falls back.
     */
    long prepare(PersistentRnn.Plan plan) {
        // A fatbin built without these kernels (0 = missing) makes the caller fall back, not fail.
        long fn = functions.computeIfAbsent(plan.kernelName(), n -> {
            try {
                return fn(n);
            } catch (CudaException e) {
                return 0L;
            }
        });
        if (fn == 0) return 0;
        smemSet.compute(fn, (f, cur) -> {
            if (cur == null || cur < plan.sharedBytes()) {
                driver.setMaxDynamicSharedMemory(f, plan.sharedBytes());
                return plan.sharedBytes();
            }
            return cur;
        });
        String key = plan.kernelName() + "/" + plan.threads() + "/" + plan.sharedBytes() + "/" + plan.ctas();
        boolean fitsDevice = coResident.computeIfAbsent(key, k -> {
            int perSm = driver.occupancyMaxActiveBlocksPerMultiprocessor(fn, plan.threads(), plan.sharedBytes());
            return (long) perSm * multiprocessors >= plan.ctas();
        });
        return fitsDevice ? fn : 0;
    }
}
