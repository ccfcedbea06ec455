package dev.pipelinex.files;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.READ;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Copies, deletes and reads folders that job processes could have written. Job processes are
 * hostile: a symbolic link they plant anywhere below the root could point the server at its own
 * files, and a FIFO could make it wait forever. So every step here is taken relative to an
 * already opened folder handle ({@link SecureDirectoryStream}, openat(2) on Linux) with
 * NOFOLLOW_LINKS, and an entry's type is read (without following) before it is opened.
 *
 * <p>Reading the type and opening are two steps, and Java cannot open with O_NONBLOCK: a process
 * still running could swap a FIFO in between and make the open wait. Call these once the job's
 * processes have ended.
 */
public final class NoFollow {

    /**
     * One walk holds an open handle (and a stack frame) per level, and a hostile tree can be
     * nested far deeper than the process has handles; a copy refuses folders below this depth, a
     * delete moves them up to the root and removes them in a further pass.
     */
    private static final int MAX_DEPTH = 64;

    /** A hostile tree can hold millions of entries; a copy lists this many refusals and counts the rest. */
    private static final int MAX_REFUSED = 1000;

    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwxr-xr-x");

    private NoFollow() {}

    /** Limits of one copy, so a job cannot fill the server's disk through what it leaves behind. */
    public record Limits(long maxFileBytes, long maxTotalBytes, int maxFiles) {
        public Limits {
            if (maxFileBytes < 0 || maxTotalBytes < 0 || maxFiles < 0) {
                throw new IllegalArgumentException("limits must not be negative: " + maxFileBytes + ", "
                        + maxTotalBytes + ", " + maxFiles);
            }
        }
    }

    /**
     * What a copy did: files and bytes copied, and what it refused, each "relative/path: reason",
     * so the job's owner can be told why something is missing.
     */
    public record Copy(int files, long bytes, List<String> refused) {
        public Copy {
            refused = List.copyOf(refused);
        }
    }

    /**
     * Copies regular files and folders under {@code from} into {@code to} (created with parents if
     * missing), keeping relative paths. {@code include} gets each entry's path relative to
     * {@code from} (a folder's too; false skips it and everything under it, silently). Links and
     * special files are refused, never followed or opened, because the tree is a job's. A file over
     * maxFileBytes is refused (not truncated); past maxFiles or maxTotalBytes the rest is refused.
     * Only content is copied (no owners or times): files made are 0644 (0755 where the owner could
     * run the original), folders 0755 where POSIX. A file that grows while being copied is refused and its partial copy removed.
     *
     * @throws IOException when {@code from} is a symbolic link or not a folder; a missing
     *     {@code from} copies nothing
     */
    public static Copy copyTree(Path from, Path to, Limits limits, Predicate<Path> include) throws IOException {
        Objects.requireNonNull(to, "to");
        CopyRun run = new CopyRun(Objects.requireNonNull(limits, "limits"), Objects.requireNonNull(include, "include"));
        try (SecureDirectoryStream<Path> root = openFolder(from)) {
            if (root == null) {
                return new Copy(0, 0, List.of());
            }
            makeFolder(to);
            run.walk(root, null, to);
        }
        return run.result();
    }

    /**
     * Removes {@code dir} and everything under it without following any link: a link is removed
     * itself, never its target, so a job cannot make the server delete files outside its tree.
     * {@code dir} being a link: the link alone is removed. Missing: nothing.
     */
    public static void deleteTree(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            throw new IOException("refusing to delete the file system root " + abs);
        }
        Path name = abs.getFileName();
        SecureDirectoryStream<Path> up;
        try {
            up = secure(Files.newDirectoryStream(parent));
        } catch (NoSuchFileException gone) {
            return;
        }
        try (up) {
            BasicFileAttributes attrs;
            try {
                attrs = attributes(up, name);
            } catch (NoSuchFileException gone) {
                return;
            }
            if (!attrs.isDirectory()) {
                up.deleteFile(name); // a link (not its target), a file or a special file
                return;
            }
            // Each pass empties the tree down to MAX_DEPTH; deeper folders were moved up for the next.
            boolean movedUp;
            do {
                try (SecureDirectoryStream<Path> root = up.newDirectoryStream(name, NOFOLLOW_LINKS)) {
                    movedUp = empty(root, root, 1);
                }
            } while (movedUp);
            up.deleteDirectory(name);
        }
    }

    /**
     * The bytes of the regular file {@code name} (a single file name, no separators) in folder
     * {@code dir}, opened without following a link, so a job cannot point the server at another
     * file by planting a link under a name the server reads; empty when missing.
     *
     * @throws IOException when the file (or {@code dir}) is a link, it is not a regular file, or
     *     it is larger than {@code max} bytes
     */
    public static Optional<byte[]> readFile(Path dir, String name, long max) throws IOException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
                || name.contains(dir.getFileSystem().getSeparator())) {
            throw new IllegalArgumentException("not a single file name: \"" + name + "\"");
        }
        Path file = dir.getFileSystem().getPath(name);
        Path shown = dir.resolve(name);
        try (SecureDirectoryStream<Path> folder = openFolder(dir)) {
            if (folder == null) {
                return Optional.empty();
            }
            BasicFileAttributes attrs;
            try {
                attrs = attributes(folder, file);
            } catch (NoSuchFileException gone) {
                return Optional.empty();
            }
            if (attrs.isSymbolicLink()) {
                throw new IOException(shown + " is a symbolic link, not read");
            }
            if (!attrs.isRegularFile()) {
                throw new IOException(shown + " is not a regular file, not read");
            }
            if (attrs.size() > max) {
                throw new IOException(shown + " is larger than " + max + " bytes, not read");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(attrs.size(), 1 << 20));
            try (SeekableByteChannel in = folder.newByteChannel(file, Set.of(READ, NOFOLLOW_LINKS))) {
                if (copy(in, out, max) > max) {
                    throw new IOException(shown + " grew larger than " + max + " bytes, not read");
                }
            } catch (NoSuchFileException gone) {
                return Optional.empty();
            }
            return Optional.of(out.toByteArray());
        }
    }

    /** One copy's counts and refusals. */
    private static final class CopyRun {
        private final Limits limits;
        private final Predicate<Path> include;
        private final List<String> refused = new ArrayList<>();
        private int unlisted;
        private int files;
        private long bytes;
        private boolean full; // once a file did not fit in maxTotalBytes, the rest is refused too

        CopyRun(Limits limits, Predicate<Path> include) {
            this.limits = limits;
            this.include = include;
        }

        void walk(SecureDirectoryStream<Path> dir, Path relDir, Path target) throws IOException {
            for (Path entry : dir) {
                Path name = entry.getFileName();
                Path rel = relDir == null ? name : relDir.resolve(name);
                if (!include.test(rel)) {
                    continue;
                }
                BasicFileAttributes attrs;
                try {
                    attrs = attributes(dir, name);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                Path dest = target.resolve(name.toString());
                if (attrs.isSymbolicLink()) {
                    refuse(rel, "a symbolic link, not copied");
                } else if (attrs.isDirectory()) {
                    folder(dir, name, rel, dest);
                } else if (attrs.isRegularFile()) {
                    file(dir, name, rel, dest, attrs.size(), executable(attrs));
                } else {
                    refuse(rel, "a FIFO or other special file, not copied");
                }
            }
        }

        private void folder(SecureDirectoryStream<Path> dir, Path name, Path rel, Path dest) throws IOException {
            if (rel.getNameCount() > MAX_DEPTH) {
                refuse(rel, "more than " + MAX_DEPTH + " folders deep, not copied");
                return;
            }
            SecureDirectoryStream<Path> sub;
            try {
                sub = dir.newDirectoryStream(name, NOFOLLOW_LINKS);
            } catch (NoSuchFileException gone) {
                return;
            } catch (FileSystemException e) {
                // e.g. swapped for a link since its type was read, or not readable by the server
                refuse(rel, "could not be opened (" + reason(e) + "), not copied");
                return;
            }
            try (sub) {
                makeFolder(dest);
                walk(sub, rel, dest);
            }
        }

        private void file(SecureDirectoryStream<Path> dir, Path name, Path rel, Path dest, long size, boolean executable)
                throws IOException {
            if (size > limits.maxFileBytes()) {
                refuse(rel, tooLarge());
                return;
            }
            if (files >= limits.maxFiles()) {
                refuse(rel, "over the limit of " + limits.maxFiles() + " files, not copied");
                return;
            }
            if (full || size > limits.maxTotalBytes() - bytes) {
                full = true;
                refuse(rel, overTotal());
                return;
            }
            SeekableByteChannel in;
            try {
                in = dir.newByteChannel(name, Set.of(READ, NOFOLLOW_LINKS));
            } catch (NoSuchFileException gone) {
                return;
            } catch (FileSystemException e) {
                refuse(rel, "could not be opened (" + reason(e) + "), not copied");
                return;
            }
            // The size read above may be stale: never copy more than either limit allows.
            long cap = Math.min(limits.maxFileBytes(), limits.maxTotalBytes() - bytes);
            long copied;
            try (in; OutputStream out = Files.newOutputStream(dest)) {
                copied = copy(in, out, cap);
            }
            if (copied > cap) {
                Files.delete(dest);
                if (copied > limits.maxFileBytes()) {
                    refuse(rel, tooLarge());
                } else {
                    full = true;
                    refuse(rel, overTotal());
                }
                return;
            }
            setMode(dest, executable ? FOLDER_MODE : FILE_MODE);
            files++;
            bytes += copied;
        }

        private String tooLarge() {
            return "larger than " + limits.maxFileBytes() + " bytes, not copied";
        }

        private String overTotal() {
            return "over the limit of " + limits.maxTotalBytes() + " bytes in all, not copied";
        }

        private void refuse(Path rel, String reason) {
            if (refused.size() < MAX_REFUSED) {
                refused.add(rel + ": " + reason);
            } else {
                unlisted++;
            }
        }

        Copy result() {
            List<String> all = new ArrayList<>(refused);
            if (unlisted > 0) {
                all.add("... and " + unlisted + " more refused, not listed");
            }
            return new Copy(files, bytes, all);
        }
    }

    /**
     * Removes everything in {@code dir}. Folders deeper than MAX_DEPTH are moved into {@code top}
     * instead of descended into; returns whether any were, so the caller makes another pass.
     */
    private static boolean empty(SecureDirectoryStream<Path> top, SecureDirectoryStream<Path> dir, int depth)
            throws IOException {
        boolean movedUp = false;
        for (Path entry : dir) {
            Path name = entry.getFileName();
            BasicFileAttributes attrs;
            try {
                attrs = attributes(dir, name);
            } catch (NoSuchFileException gone) {
                continue;
            }
            if (!attrs.isDirectory()) {
                dir.deleteFile(name); // unlinks a link itself, never its target
            } else if (depth >= MAX_DEPTH) {
                // rename(2) moves the entry itself, following nothing
                dir.move(name, top, name.getFileSystem().getPath(".nofollow-deep-" + UUID.randomUUID()));
                movedUp = true;
            } else {
                try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, NOFOLLOW_LINKS)) {
                    movedUp |= empty(top, sub, depth + 1);
                }
                dir.deleteDirectory(name);
            }
        }
        return movedUp;
    }

    /**
     * Opens folder {@code dir} through its parent's handle without following a link, so a link at
     * {@code dir} itself is refused rather than followed, and a FIFO there is never opened; null
     * when missing.
     */
    private static SecureDirectoryStream<Path> openFolder(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            return secure(Files.newDirectoryStream(abs)); // the file system root cannot be a link
        }
        Path name = abs.getFileName();
        try (SecureDirectoryStream<Path> up = secure(Files.newDirectoryStream(parent))) {
            BasicFileAttributes attrs = attributes(up, name);
            if (attrs.isSymbolicLink()) {
                throw new IOException(dir + " is a symbolic link, refused");
            }
            if (!attrs.isDirectory()) {
                throw new NotDirectoryException(dir.toString());
            }
            return up.newDirectoryStream(name, NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    private static SecureDirectoryStream<Path> secure(DirectoryStream<Path> stream) throws IOException {
        if (stream instanceof SecureDirectoryStream<Path> sds) {
            return sds;
        }
        stream.close();
        throw new IOException("no SecureDirectoryStream on this platform");
    }

    private static BasicFileAttributes attributes(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        var posix = dir.getFileAttributeView(name, java.nio.file.attribute.PosixFileAttributeView.class, NOFOLLOW_LINKS);
        return posix != null ? posix.readAttributes()
                : dir.getFileAttributeView(name, BasicFileAttributeView.class, NOFOLLOW_LINKS).readAttributes();
    }

    /** Whether the file's owner may run it (a project's scripts, {@code mvnw}): its copy is 0755 then. */
    private static boolean executable(BasicFileAttributes attrs) {
        return attrs instanceof java.nio.file.attribute.PosixFileAttributes p
                && p.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
    }

    /** Copies at most {@code cap + 1} bytes, so a caller sees that a file went over {@code cap} without reading all of it. */
    private static long copy(SeekableByteChannel in, OutputStream out, long cap) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long copied = 0;
        while (copied <= cap) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), cap - copied + 1));
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            out.write(buffer.array(), 0, n);
            copied += n;
        }
        return copied;
    }

    private static void makeFolder(Path folder) throws IOException {
        if (Files.isDirectory(folder, NOFOLLOW_LINKS)) {
            return;
        }
        Files.createDirectories(folder);
        setMode(folder, FOLDER_MODE);
    }

    private static void setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(path, mode);
        }
    }

    private static String reason(FileSystemException e) {
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }
}
