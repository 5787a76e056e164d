package dev.jrnn.distributed;

import dev.jrnn.backend.DistributedException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The meeting of a job's ranks at {@code host:port}, as PyTorch's TCPStore: rank 0 listens, every other rank connects
 * and says who it is, and once all have come rank 0 hands each the same payload (the NCCL unique id). A rank missing
 * at the timeout fails the rendezvous on every rank that came, naming it. The connections then stay open as the
 * job's control channel: {@link #reportFailure} reaches every other rank's {@link #onFailure} listener, and a rank
 * whose connection drops without goodbye (its process died) is reported as lost, to all.
 *
 * <p>Protocol, one UTF-8 line each: a rank sends {@code HELLO rank size}; rank 0 answers {@code ID base64} or
 * {@code FAIL reason}; later either side may send {@code FAIL reason}, and {@code BYE} before closing.
 *
 * <pre>{@code
 * try (Rendezvous r = Rendezvous.join("10.0.0.1", 29500, rank, size, 60_000, () -> Backends.ncclUniqueId())) {
 *     byte[] id = r.payload();
 * }
 * }</pre>
 */
public final class Rendezvous implements AutoCloseable {
    private static final long BYE_WAIT_MS = 5_000;

    private final String where;
    private final int rank;
    private final byte[] payload;
    private final ServerSocket server;   // rank 0
    private final TreeMap<Integer, Peer> peers = new TreeMap<>();   // rank 0: every other rank's connection
    private final Peer toRoot;            // other ranks: the connection to rank 0
    private volatile Consumer<String> listener = r -> {};
    private volatile String failure;
    private volatile boolean closing;

    /** One open connection with its writer (writes are serialized per connection). */
    private static final class Peer {
        int rank;
        final Socket socket;
        final BufferedReader in;
        final Writer out;
        volatile boolean said;

        Peer(int rank, Socket socket) throws IOException {
            this.rank = rank;
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
        }

        synchronized void send(String line) {
            try {
                out.write(line.replace('\n', ' ') + "\n");
                out.flush();
            } catch (IOException e) {
                // a closed peer: its reader reports it
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * Meets the other ranks: rank 0 listens on {@code port} (all interfaces) and makes the payload with {@code payload};
     * the others connect to {@code host:port}, retrying until the timeout (rank 0 may start later).
     *
     * @throws DistributedException naming the ranks that never arrived, or rank 0 when it never answered
     */
    public static Rendezvous join(String host, int port, int rank, int size, long timeoutMs, Supplier<byte[]> payload) {
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("Rendezvous: rank must be in [0, size) and size >= 1, got rank " + rank + " of " + size);
        }
        checkHost("Rendezvous", host);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("Rendezvous: port must be in [0, 65535], got " + port);
        if (timeoutMs < 1) throw new IllegalArgumentException("Rendezvous: timeoutMs must be >= 1, got " + timeoutMs);
        return rank == 0 ? serve(host, port, size, timeoutMs, payload) : connect(host, port, rank, size, timeoutMs);
    }

    /** {@code host} names rank 0's machine: an address or a host name, not null or blank. */
    static void checkHost(String who, String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException(who + ": host must name rank 0's machine (an address or host name), got "
                    + (host == null ? "null" : "'" + host + "'"));
        }
    }

    private Rendezvous(String where, int rank, byte[] payload, ServerSocket server, Peer toRoot) {
        this.where = where;
        this.rank = rank;
        this.payload = payload;
        this.server = server;
        this.toRoot = toRoot;
    }

    private static Rendezvous serve(String host, int port, int size, long timeoutMs, Supplier<byte[]> make) {
        String where = host + ":" + port;
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        ServerSocket ss;
        try {
            ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(port), size);
        } catch (IOException e) {
            throw new DistributedException("rendezvous at " + where + ": rank 0 cannot listen on port " + port + ": " + e.getMessage(), e);
        }
        TreeMap<Integer, Peer> came = new TreeMap<>();
        String fail = null;
        byte[] payload = null;
        try {
            payload = make.get();
        } catch (RuntimeException e) {
            fail = "rank 0 failed before the rendezvous: " + e.getMessage();
        }
        while (came.size() < size - 1) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) break;
            Socket s = null;
            try {
                ss.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                s = ss.accept();
                s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, left)));
                Peer p = hello(s, size, came, where);
                if (p != null) came.put(p.rank, p);
            } catch (SocketTimeoutException e) {
                break;
            } catch (IOException e) {
                if (s != null) closeQuietly(s);   // a connection that broke during its hello: that rank may retry
            }
        }
        if (fail == null && came.size() < size - 1) {
            List<Integer> missing = new ArrayList<>();
            for (int r = 1; r < size; r++) if (!came.containsKey(r)) missing.add(r);
            fail = "rendezvous at " + where + ": rank" + (missing.size() > 1 ? "s " : " ") + join(missing) + " never arrived within "
                    + timeoutMs / 1000.0 + " s (" + came.size() + " of " + (size - 1) + " other ranks came)";
        }
        if (fail != null) {
            for (Peer p : came.values()) {
                p.send("FAIL " + fail);
                p.close();
            }
            closeQuietly(ss);
            throw new DistributedException(fail);
        }
        String id = "ID " + Base64.getEncoder().encodeToString(payload);
        Rendezvous r = new Rendezvous(where, 0, payload, ss, null);
        r.peers.putAll(came);
        for (Peer p : came.values()) {
            try {
                p.socket.setSoTimeout(0);
            } catch (IOException ignored) {
                // its reader notices a broken socket
            }
            p.send(id);
            Thread.ofPlatform().daemon().name("jrnn-rdzv-rank" + p.rank).start(() -> r.serveReads(p));
        }
        return r;
    }

    /** Reads one rank's HELLO; answers FAIL and returns null for a bad one. */
    private static Peer hello(Socket s, int size, TreeMap<Integer, Peer> came, String where) throws IOException {
        Peer p = new Peer(-1, s);
        String line = p.in.readLine();
        String[] w = line == null ? new String[0] : line.trim().split(" ");
        String bad = null;
        int r = -1;
        if (w.length != 3 || !w[0].equals("HELLO")) {
            bad = "rendezvous at " + where + ": expected 'HELLO rank size', got '" + line + "'";
        } else {
            try {
                r = Integer.parseInt(w[1]);
                int n = Integer.parseInt(w[2]);
                if (n != size) bad = "rendezvous at " + where + ": rank " + r + " says WORLD_SIZE " + n + ", rank 0 says " + size;
                else if (r < 1 || r >= size) bad = "rendezvous at " + where + ": rank " + r + " is not in [1, " + size + ")";
                else if (came.containsKey(r)) bad = "rendezvous at " + where + ": rank " + r + " arrived twice";
            } catch (NumberFormatException e) {
                bad = "rendezvous at " + where + ": expected 'HELLO rank size', got '" + line + "'";
            }
        }
        if (bad != null) {
            p.send("FAIL " + bad);
            p.close();
            return null;
        }
        p.rank = r;
        return p;
    }

    private static Rendezvous connect(String host, int port, int rank, int size, long timeoutMs) {
        String where = host + ":" + port;
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        IOException last = null;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                throw new DistributedException("rendezvous at " + where + ": rank " + rank + " could not reach rank 0 within "
                        + timeoutMs / 1000.0 + " s" + (last != null ? " (" + last.getMessage() + ")" : ""), last);
            }
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(host, port), (int) Math.min(left, 5_000));
                // Rank 0 started no later than now, so its verdict (naming a missing rank) comes within the whole
                // timeout from here; a second more for the message to arrive.
                s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs + 1_000));
                Peer p = new Peer(0, s);
                p.send("HELLO " + rank + " " + size);
                String line = p.in.readLine();
                if (line == null) throw new IOException("rank 0 closed the connection");
                if (line.startsWith("FAIL ")) {
                    p.close();
                    throw new DistributedException(line.substring(5));
                }
                if (!line.startsWith("ID ")) throw new IOException("unexpected answer '" + line + "'");
                byte[] payload = Base64.getDecoder().decode(line.substring(3).trim());
                s.setSoTimeout(0);
                Rendezvous r = new Rendezvous(where, rank, payload, null, p);
                Thread.ofPlatform().daemon().name("jrnn-rdzv-root").start(() -> r.serveReads(p));
                return r;
            } catch (SocketTimeoutException e) {
                closeQuietly(s);
                throw new DistributedException("rendezvous at " + where + ": rank 0 did not hand out the id within "
                        + timeoutMs / 1000.0 + " s (are all " + size + " ranks started?)", e);
            } catch (IOException e) {
                closeQuietly(s);
                last = e;
                try {
                    Thread.sleep(Math.min(200, Math.max(1, left)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new DistributedException("rendezvous at " + where + ": interrupted", ie);
                }
            }
        }
    }

    /** The payload rank 0 handed out (the NCCL unique id). */
    public byte[] payload() { return payload.clone(); }

    public int rank() { return rank; }

    /** Where the ranks met, {@code host:port}. */
    public String where() { return where; }

    /**
     * Calls {@code l} with the reason when another rank reports a failure or is lost (on a reader thread; once). A
     * failure that came before the listener was set is handed to it at once.
     */
    public void onFailure(Consumer<String> l) {
        this.listener = l == null ? r -> {} : l;
        String f = failure;
        if (f != null && l != null) l.accept(f);
    }

    /** Tells every other rank that the job failed with {@code reason} (once; later reports do nothing). */
    public synchronized void reportFailure(String reason) {
        if (failure != null) return;
        failure = reason;
        if (toRoot != null) toRoot.send("FAIL " + reason);
        for (Peer p : peers.values()) p.send("FAIL " + reason);
    }

    /** A failure reported by or to this rank, or null. */
    public String failure() { return failure; }

    private void failed(String reason, Peer from) {
        synchronized (this) {
            if (failure != null) return;
            failure = reason;
            for (Peer p : peers.values()) if (p != from) p.send("FAIL " + reason);   // rank 0 relays
        }
        listener.accept(reason);
    }

    private void serveReads(Peer p) {
        String who = "rank " + p.rank;
        try {
            String line;
            while ((line = p.in.readLine()) != null) {
                if (line.equals("BYE")) {
                    p.said = true;
                    return;
                }
                if (line.startsWith("FAIL ")) failed(line.substring(5), p);
            }
        } catch (IOException e) {
            // the connection broke: reported below
        }
        if (!closing && !p.said) {
            failed(who + " lost: its connection to the rendezvous at " + where + " closed without goodbye (the process died?)", p);
        }
    }

    /**
     * Says goodbye: rank 0 waits a few seconds for the others' goodbyes (so that none of them counts as lost), then
     * closes every connection.
     */
    @Override
    public void close() {
        if (toRoot != null) {
            closing = true;
            toRoot.send("BYE");
            toRoot.close();
            return;
        }
        long deadline = System.nanoTime() + BYE_WAIT_MS * 1_000_000L;
        for (Peer p : peers.values()) {
            while (!p.said && failure == null && !p.socket.isClosed() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        closing = true;
        for (Peer p : peers.values()) {
            p.send("BYE");
            p.close();
        }
        closeQuietly(server);
    }

    /** Drops the connections without goodbye, as a dying process does (tests). */
    void kill() {
        closing = true;
        if (toRoot != null) toRoot.close();
        for (Peer p : peers.values()) p.close();
        if (server != null) closeQuietly(server);
    }

    private static String join(List<Integer> ranks) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ranks.size(); i++) sb.append(i == 0 ? "" : ", ").append(ranks.get(i));
        return sb.toString();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
