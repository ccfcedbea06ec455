package dev.pipelinex.intake;

import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Brings an uploaded ZIP into a job's {@code source/}: the upload is streamed to disk under a
 * size limit, then every entry is checked before anything is unpacked. A single top-level
 * folder (as in archives that hosting sites produce) is unwrapped.
 */
public final class ZipIntake {

    private static final int MAX_RATIO = 200;
    private final IntakeLimits limits;

    public ZipIntake(IntakeLimits limits) {
        this.limits = limits;
    }

    /** Streams {@code upload} into {@code zipFile}; refuses it (413) as soon as it passes the limit. */
    public long save(InputStream upload, Path zipFile) {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(zipFile)) {
            for (int n; (n = upload.read(buf)) > 0; ) {
                total += n;
                if (total > limits.maxUploadBytes()) {
                    throw new RequestRefusedException(Refusal.TOO_LARGE, "the upload is larger than "
                            + mib(limits.maxUploadBytes()) + " (pipelinex.intake.max-upload-bytes)");
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the upload: " + e.getMessage(), e);
        }
        if (total == 0) {
            throw new RequestRefusedException(Refusal.INVALID_ARCHIVE, "the part 'project_zip' is empty");
        }
        return total;
    }

    /** Unpacks {@code zipFile} into {@code target}, which must exist and be empty. */
    public void unpack(Path zipFile, Path target) {
        try (ZipFile zip = ZipFile.builder().setPath(zipFile).get()) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
            String prefix = commonTopFolder(entries);
            List<ZipArchiveEntry> files = check(entries);
            long unpacked = 0;
            byte[] buf = new byte[64 * 1024];
            for (ZipArchiveEntry e : entries) {
                String name = e.getName().substring(prefix.length());
                if (name.isEmpty()) {
                    continue;
                }
                Path dest = target.resolve(name).normalize();
                if (!dest.startsWith(target) || dest.equals(target)) {
                    throw invalid("entry '" + e.getName() + "' would be written outside the project folder");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(dest);
                    continue;
                }
                Files.createDirectories(dest.getParent());
                try (InputStream in = zip.getInputStream(e); OutputStream out = Files.newOutputStream(dest)) {
                    long entryBytes = 0;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        entryBytes += n;
                        unpacked += n;
                        if (unpacked > limits.maxUnpackedBytes()) {
                            throw new RequestRefusedException(Refusal.TOO_LARGE, "the archive unpacks to more than "
                                    + mib(limits.maxUnpackedBytes()) + " (pipelinex.intake.max-unpacked-bytes)");
                        }
                        long packed = Math.max(e.getCompressedSize(), 1);
                        if (entryBytes > (1 << 20) && entryBytes / packed > MAX_RATIO) {
                            throw invalid("entry '" + e.getName() + "' expands more than " + MAX_RATIO
                                    + " times its compressed size; this looks like a ZIP bomb");
                        }
                        out.write(buf, 0, n);
                    }
                }
            }
            if (files.isEmpty()) {
                throw invalid("the archive holds no files");
            }
        } catch (IOException e) {
            throw new RequestRefusedException(Refusal.INVALID_ARCHIVE,
                    "the part 'project_zip' is not a readable ZIP archive (" + e.getMessage() + ")");
        }
    }

    /** Checks every entry's name and kind before anything is written; returns the file entries. */
    private List<ZipArchiveEntry> check(List<ZipArchiveEntry> entries) {
        Set<String> seen = new HashSet<>();
        List<ZipArchiveEntry> files = new ArrayList<>();
        for (ZipArchiveEntry e : entries) {
            String name = e.getName();
            if (name.indexOf('\0') >= 0) {
                throw invalid("an entry name contains a NUL character");
            }
            // For entries made on DOS/Windows, commons-compress turns backslashes into '/' in
            // getName(); the name as stored still has them.
            String stored = e.getRawName() == null ? name : new String(e.getRawName(), StandardCharsets.UTF_8);
            if (name.indexOf('\\') >= 0 || stored.indexOf('\\') >= 0) {
                throw invalid("entry '" + stored + "' uses backslashes; ZIP entry names use '/'");
            }
            if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
                throw invalid("entry '" + name + "' has an absolute path");
            }
            String[] parts = name.split("/");
            for (String part : parts) {
                if (part.equals("..")) {
                    throw invalid("entry '" + name + "' climbs out of the archive with '..'");
                }
            }
            if (parts.length > limits.maxDepth()) {
                throw invalid("entry '" + name + "' is nested deeper than " + limits.maxDepth()
                        + " folders (pipelinex.intake.max-depth)");
            }
            if (e.isUnixSymlink()) {
                throw invalid("entry '" + name + "' is a symbolic link; links are not accepted");
            }
            int type = (e.getUnixMode() >> 12) & 0xF;
            if (e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX && type != 0 && type != 0x8 && type != 0x4) {
                throw invalid("entry '" + name + "' is a device or special file");
            }
            String key = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            if (!seen.add(key)) {
                throw invalid("entry '" + name + "' appears twice");
            }
            if (!e.isDirectory()) {
                files.add(e);
                if (files.size() > limits.maxFiles()) {
                    throw new RequestRefusedException(Refusal.TOO_LARGE, "the archive holds more than "
                            + limits.maxFiles() + " files (pipelinex.intake.max-files)");
                }
            }
        }
        return files;
    }

    /** "name/" when every entry lies under one top-level folder, else "". */
    static String commonTopFolder(List<ZipArchiveEntry> entries) {
        String top = null;
        for (ZipArchiveEntry e : entries) {
            String name = e.getName();
            int slash = name.indexOf('/');
            if (slash <= 0) {
                return "";
            }
            String first = name.substring(0, slash + 1);
            if (top == null) {
                top = first;
            } else if (!top.equals(first)) {
                return "";
            }
        }
        return top == null ? "" : top;
    }

    private static RequestRefusedException invalid(String detail) {
        return new RequestRefusedException(Refusal.INVALID_ARCHIVE, detail);
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
