package dev.pipelinex.repository;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The repository proxy as one stage reaches it: a Unix socket that only that stage's sandbox
 * has (bound in at a fixed place), speaking just enough HTTP/1.1 for Maven: {@code GET} and
 * {@code HEAD}, persistent connections, {@code Content-Length} answers. Anything else is
 * refused. Each refusal is noted in the stage's log as it happens; closing the socket notes
 * what the stage took and ends every connection.
 */
public final class ProxySocket implements Closeable {

    private static final Logger LOG = Logger.getLogger(ProxySocket.class.getName());
    private static final int MAX_HEAD = 16 * 1024;
    /** At most this many refusals are noted in a stage's log; the count says the rest. */
    private static final int MAX_NOTES = 50;
    /**
     * Connections one stage may hold open at once (Maven uses a handful); each has a thread of
     * the server's, so a stage that opens more is answered 503 on the extra ones.
     */
    static final int MAX_CONNECTIONS = 32;

    private final RepositoryProxy proxy;
    private final Path path;
    private final Consumer<String> note;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final Thread acceptor;

    private ProxySocket(RepositoryProxy proxy, Path path, Consumer<String> note) throws IOException {
        this.proxy = proxy;
        this.path = path;
        this.note = note;
        Files.deleteIfExists(path);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        // The stage's user (10001, or the user namespace's) connects; the folder keeps others out.
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
        this.acceptor = new Thread(this::accept, "pipelinex-repository-" + path.getFileName());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Listens at {@code path} (a place only the server writes; at most about 100 bytes long)
     * for one stage; {@code note} writes a line into the stage's log.
     */
    public static ProxySocket open(RepositoryProxy proxy, Path path, Consumer<String> note) throws IOException {
        return new ProxySocket(proxy, path, note);
    }

    public Path path() {
        return path;
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (open.size() >= MAX_CONNECTIONS) {
                try (c) {
                    refuse(c, 503, "Too Many Connections", "more than " + MAX_CONNECTIONS + " connections at once");
                    linger(c); // this stage's own accepts wait, at most half a second
                } catch (IOException e) {
                    LOG.fine("refusing a repository connection: " + e.getMessage());
                }
                continue;
            }
            open.add(c);
            if (!server.isOpen()) {
                // close() ran between accept and add, and did not see this connection.
                try {
                    c.close();
                } catch (IOException e) {
                    LOG.fine("closing a repository connection: " + e.getMessage());
                }
                open.remove(c);
                return;
            }
            Thread t = new Thread(() -> serve(c), "pipelinex-repository-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SocketChannel c) {
        try {
            InputStream in = Channels.newInputStream(c);
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                if (!answer(c, head)) {
                    linger(c);
                    return;
                }
            }
        } catch (IOException e) {
            LOG.fine("repository connection ended: " + e.getMessage());
            linger(c);
        } finally {
            open.remove(c);
            try {
                c.close();
            } catch (IOException e) {
                LOG.fine("closing a repository connection: " + e.getMessage());
            }
        }
    }

    /**
     * Before closing a connection the client may still be writing to: ends the answer, then
     * reads and drops what is left (64 KiB or half a second at most), so that the client reads
     * the answer instead of a reset.
     */
    private static void linger(SocketChannel c) {
        try {
            c.shutdownOutput();
            c.configureBlocking(false);
            ByteBuffer b = ByteBuffer.allocate(8192);
            long end = System.nanoTime() + 500_000_000L;
            int total = 0;
            while (total < 64 * 1024 && System.nanoTime() < end) {
                b.clear();
                int n = c.read(b);
                if (n < 0) {
                    return;
                }
                total += n;
                if (n == 0) {
                    Thread.sleep(10);
                }
            }
        } catch (IOException e) {
            // gone already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The request's head up to its blank line; null at the end of the stream; throws when too long. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (true) {
            int ch = in.read();
            if (ch < 0) {
                return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
            }
            b.write(ch);
            if (b.size() > MAX_HEAD) {
                throw new IOException("request head over " + MAX_HEAD + " bytes");
            }
            state = ch == '\n' ? (state == 1 ? 2 : 1) : (ch == '\r' ? state : 0);
            if (state == 2) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }

    /** Answers one request; false when the connection must end after it. */
    private boolean answer(SocketChannel c, String head) throws IOException {
        String[] lines = head.split("\r?\n");
        String[] request = lines[0].split(" ");
        boolean keepAlive = request.length == 3 && request[2].equals("HTTP/1.1");
        boolean body = false;
        for (int i = 1; i < lines.length; i++) {
            String h = lines[i].toLowerCase(Locale.ROOT);
            if (h.startsWith("connection:") && h.contains("close")) {
                keepAlive = false;
            }
            if ((h.startsWith("content-length:") && !h.substring(15).trim().equals("0")) || h.startsWith("transfer-encoding:")) {
                body = true;
            }
        }
        if (request.length != 3 || !request[2].startsWith("HTTP/1.")) {
            refuse(c, 400, "not an HTTP request", "a request that is not HTTP");
            return false;
        }
        String method = request[0];
        if (!method.equals("GET") && !method.equals("HEAD") || body) {
            refuse(c, 405, "only GET and HEAD of repository paths are served",
                    method + " " + RepositoryProxy.printable(request[1]) + " (only GET and HEAD are served)");
            return false;
        }
        String target = request[1];
        if (target.startsWith("http://") || target.startsWith("https://")) {
            refuse(c, 400, "only repository paths are served, not addresses", "a request for " + RepositoryProxy.printable(target));
            return false;
        }
        RepositoryProxy.Answer a = proxy.get(target);
        try {
            if (!a.ok()) {
                refused(a.reason());
                write(c, a.status(), a.reason(), keepAlive, 0, null, null);
                return keepAlive;
            }
            served.incrementAndGet();
            boolean headOnly = method.equals("HEAD");
            if (a.file() != null) {
                try (FileChannel f = FileChannel.open(a.file(), StandardOpenOption.READ)) {
                    long size = f.size();
                    write(c, 200, "OK", keepAlive, size, headOnly ? null : f, null);
                }
            } else {
                write(c, 200, "OK", keepAlive, a.body().length, null, headOnly ? null : a.body());
            }
            return keepAlive;
        } finally {
            a.release();
        }
    }

    private void refuse(SocketChannel c, int status, String reason, String noted) throws IOException {
        RepositoryCounters.refused();
        refused(noted);
        write(c, status, reason, false, 0, null, null);
    }

    private void refused(String why) {
        if (refused.incrementAndGet() <= MAX_NOTES) {
            note.accept("[repository] refused: " + why);
        }
    }

    private void write(SocketChannel c, int status, String reason, boolean keepAlive, long length, FileChannel file,
                       byte[] body) throws IOException {
        String head = "HTTP/1.1 " + status + " " + RepositoryProxy.printable(reason) + "\r\n"
                + "Content-Length: " + length + "\r\n"
                + "Content-Type: " + (status == 200 ? "application/octet-stream" : "text/plain") + "\r\n"
                + "Connection: " + (keepAlive ? "keep-alive" : "close") + "\r\n\r\n";
        ByteBuffer b = ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1));
        while (b.hasRemaining()) {
            c.write(b);
        }
        long sent = 0;
        if (file != null) {
            while (sent < length) {
                long n = file.transferTo(sent, length - sent, c);
                if (n <= 0) {
                    throw new IOException("the stage stopped reading");
                }
                sent += n;
            }
        } else if (body != null) {
            ByteBuffer bb = ByteBuffer.wrap(body);
            while (bb.hasRemaining()) {
                c.write(bb);
            }
            sent = body.length;
        }
        bytes.addAndGet(sent);
        RepositoryCounters.servedBytes(sent);
    }

    /** Stops listening, ends every connection, removes the socket and notes what the stage took. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.fine("closing " + path + ": " + e.getMessage());
        }
        for (SocketChannel c : open) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.fine("closing a repository connection: " + e.getMessage());
            }
        }
        try {
            acceptor.join(2000);
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.fine("removing " + path + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int n = served.get();
        int r = refused.get();
        if (n > 0 || r > 0) {
            note.accept("[repository] " + n + " files served (" + (bytes.get() >> 10) + " KiB), " + r + " requests refused"
                    + (r > MAX_NOTES ? " (the first " + MAX_NOTES + " are above)" : ""));
        }
    }
}
