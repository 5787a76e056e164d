package dev.jrnn.distributed;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What {@link LauncherTest} launches: meets the other ranks over the rendezvous the launcher's variables describe and
 * prints what it got. With argument {@code fail=R}, rank R exits with code 3 after the rendezvous (without goodbye, as
 * a crash), and the other ranks print the failure they hear and exit with code 1.
 */
public final class LaunchProbe {
    private LaunchProbe() {}

    public static void main(String[] args) throws Exception {
        int rank = Integer.parseInt(System.getenv("RANK"));
        int size = Integer.parseInt(System.getenv("WORLD_SIZE"));
        int failing = args.length > 0 && args[0].startsWith("fail=") ? Integer.parseInt(args[0].substring(5)) : -1;
        Rendezvous r = Rendezvous.join(System.getenv("MASTER_ADDR"), Integer.parseInt(System.getenv("MASTER_PORT")), rank, size,
                20_000, () -> "id-from-rank-0".getBytes(StandardCharsets.UTF_8));
        System.out.println("local " + System.getenv("LOCAL_RANK") + " of " + System.getenv("LOCAL_WORLD_SIZE") + ", world " + size
                + ", device " + System.getenv("JRNN_CUDA_DEVICE") + ", payload " + new String(r.payload(), StandardCharsets.UTF_8));
        if (failing < 0) {
            r.close();
            return;
        }
        if (rank == failing) {
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }
        LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
        r.onFailure(heard::add);
        System.out.println("heard: " + heard.poll(15, TimeUnit.SECONDS));
        System.exit(1);
    }
}
