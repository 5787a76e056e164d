package dev.jrnn.backend.cuda;

/**
 * Base of the classes that hold the typed {@link Kernel} launchers of a loaded module: resolves each kernel's
 * handle by name once ({@link #fn}) and launches it through the driver.
 */
abstract class KernelModule {
    final CudaDriver driver;
    final long module;

    KernelModule(CudaDriver driver, long module) {
        this.driver = driver;
        this.module = module;
    }

    /** The {@code CUfunction} of {@code name} in this module (throws CudaException if the fatbin lacks it). */
    final long fn(String name) {
        return driver.function(module, name);
    }

    /** Launches {@code fn} on {@code g} with arguments already typed by the calling launcher (tests record here). */
    void launch(long fn, Grid g, Object... args) {
        if (g.cooperative()) {
            driver.launchCooperative(fn, g.gx(), g.gy(), 1, g.bx(), g.by(), 1, g.sharedBytes(), g.stream(), args);
        } else {
            driver.launch(fn, g.gx(), g.gy(), 1, g.bx(), g.by(), 1, g.sharedBytes(), g.stream(), args);
        }
    }
}
