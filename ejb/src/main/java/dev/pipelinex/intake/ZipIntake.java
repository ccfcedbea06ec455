package dev.pipelinex.intake;

import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import dev.pipelinex.job.Workspaces;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.AsiExtraField;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipExtraField;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Brings an uploaded ZIP into a job's {@code source/}: the upload is streamed to disk under a
 * size limit, the archive's structure and every entry are checked before anything is
 * unpacked, and unpacking stops at the first surprise with {@code source/} emptied again.
 * A single top-level folder (as in archives that hosting sites produce) is unwrapped.
 * <p>
 * Refused: anything that is not a plain ZIP (no end-of-central-directory record, entries that
 * overlap or lie outside the file, local headers that disagree with the central directory,
 * encryption, compression other than stored and deflated, sizes or CRCs that do not match the
 * data), names that could land outside the folder or be read two ways ({@code ..}, absolute,
 * drive letters, backslashes, NUL and control characters, empty or {@code .} segments, too
 * long), links, devices and other special files, duplicates (after Unicode NFC
 * normalisation) and a file that is also a folder, and the limits of {@link IntakeLimits}.
 */
public final class ZipIntake {

    static final int MAX_RATIO = 200;
    static final int MAX_NAME_CHARS = 1024;
    static final int MAX_SEGMENT_BYTES = 255;
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int LOCAL = 0x04034b50;
    private final IntakeLimits limits;

    public ZipIntake(IntakeLimits limits) {
        this.limits = limits;
    }

    /** Streams {@code upload} into {@code zipFile}; refuses it (413) as soon as it passes the limit. */
    public long save(InputStream upload, Path zipFile) {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(zipFile, StandardOpenOption.CREATE_NEW)) {
            while (true) {
                int n;
                try {
                    n = upload.read(buf);
                } catch (IOException e) {
                    throw new RequestRefusedException(Refusal.MALFORMED_REQUEST,
                            "the part 'project_zip' could not be read to its end (" + e.getMessage() + ")");
                }
                if (n < 0) {
                    break;
                }
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

    /**
     * Unpacks {@code zipFile} into {@code target}, which must exist and be empty. On a refusal
     * {@code target} is emptied again: nothing of a refused archive stays anywhere.
     */
    public void unpack(Path zipFile, Path target) {
        Path root = target.toAbsolutePath().normalize();
        try {
            unpackChecked(zipFile, root);
        } catch (RuntimeException e) {
            empty(root);
            throw e;
        }
    }

    private void unpackChecked(Path zipFile, Path target) {
        long declared = structure(zipFile);
        if (declared == 0) {
            throw invalid("the archive holds no entries (an empty ZIP, perhaps one with only a comment)");
        }
        try (ZipFile zip = ZipFile.builder().setPath(zipFile).setUseUnicodeExtraFields(false).get()) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntriesInPhysicalOrder());
            if (entries.size() != declared) {
                throw invalid("the archive's central directory lists " + entries.size() + " entries but its end record says "
                        + declared);
            }
            List<ZipArchiveEntry> files = check(zip, entries);
            headers(zipFile, entries);
            String prefix = commonTopFolder(entries);
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
                Path parent = dest.getParent();
                Files.createDirectories(parent);
                if (!parent.toRealPath().startsWith(target.toRealPath())) {
                    throw invalid("entry '" + e.getName() + "' would be written outside the project folder");
                }
                CRC32 crc = new CRC32();
                long entryBytes = 0;
                try (InputStream in = zip.getInputStream(e);
                     OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE_NEW,
                             StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        entryBytes += n;
                        unpacked += n;
                        if (unpacked > limits.maxUnpackedBytes()) {
                            throw tooLarge("the archive unpacks to more than " + mib(limits.maxUnpackedBytes())
                                    + " (pipelinex.intake.max-unpacked-bytes)");
                        }
                        if (entryBytes > e.getSize()) {
                            throw invalid("entry '" + e.getName() + "' unpacks to more than the " + e.getSize()
                                    + " bytes its header declares");
                        }
                        long packed = Math.max(e.getCompressedSize(), 1);
                        if (entryBytes > (1 << 20) && entryBytes / packed > MAX_RATIO) {
                            throw invalid("entry '" + e.getName() + "' expands more than " + MAX_RATIO
                                    + " times its compressed size; this looks like a ZIP bomb");
                        }
                        crc.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                }
                if (entryBytes != e.getSize()) {
                    throw invalid("entry '" + e.getName() + "' holds " + entryBytes + " bytes but its header declares "
                            + e.getSize() + "; the archive is damaged or was tampered with");
                }
                if (crc.getValue() != e.getCrc()) {
                    throw invalid("entry '" + e.getName() + "' fails its CRC check; the archive is damaged or was tampered with");
                }
            }
            if (files.isEmpty()) {
                throw invalid("the archive holds no files");
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw invalid("entry '" + e.getFile() + "' appears twice");
        } catch (IOException | IllegalArgumentException e) {
            throw invalid("the part 'project_zip' is not a readable ZIP archive (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads the end-of-central-directory record (and its ZIP64 form) before anything else:
     * returns the number of entries, refusing a file that is not a ZIP, a split archive, a
     * central directory outside the file and more entries than the limits allow.
     */
    long structure(Path zipFile) {
        try (FileChannel ch = FileChannel.open(zipFile, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 22) {
                throw invalid("the part 'project_zip' is not a readable ZIP archive: it is only " + size + " bytes long");
            }
            int tail = (int) Math.min(size, 22 + 0xFFFF);
            ByteBuffer buf = read(ch, size - tail, tail);
            int at = -1;
            for (int i = tail - 22; i >= 0; i--) {
                if (buf.getInt(i) == EOCD && (buf.getShort(i + 20) & 0xFFFF) == tail - 22 - i) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                for (int i = tail - 22; i >= 0; i--) {
                    if (buf.getInt(i) == EOCD) {
                        at = i;
                        break;
                    }
                }
            }
            if (at < 0) {
                throw invalid("the part 'project_zip' is not a readable ZIP archive (no end of central directory record; "
                        + describe(ch) + ")");
            }
            long eocd = size - tail + at;
            int disk = buf.getShort(at + 4) & 0xFFFF;
            int cdDisk = buf.getShort(at + 6) & 0xFFFF;
            long entriesHere = buf.getShort(at + 8) & 0xFFFF;
            long entries = buf.getShort(at + 10) & 0xFFFF;
            long cdSize = buf.getInt(at + 12) & 0xFFFFFFFFL;
            long cdOffset = buf.getInt(at + 16) & 0xFFFFFFFFL;
            boolean zip64 = entries == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL;
            if (zip64) {
                if (eocd < 20) {
                    throw invalid("the archive is damaged: a ZIP64 archive without its ZIP64 end record");
                }
                ByteBuffer loc = read(ch, eocd - 20, 20);
                if (loc.getInt(0) != ZIP64_LOCATOR) {
                    throw invalid("the archive is damaged: a ZIP64 archive without its ZIP64 end record");
                }
                long recordAt = loc.getLong(8);
                if (recordAt < 0 || recordAt > eocd - 20 - 56) {
                    throw invalid("the archive is damaged: its ZIP64 end record lies outside the file");
                }
                ByteBuffer rec = read(ch, recordAt, 56);
                if (rec.getInt(0) != ZIP64_EOCD) {
                    throw invalid("the archive is damaged: its ZIP64 end record is missing");
                }
                disk = rec.getInt(16);
                cdDisk = rec.getInt(20);
                entriesHere = rec.getLong(24);
                entries = rec.getLong(32);
                cdSize = rec.getLong(40);
                cdOffset = rec.getLong(48);
                eocd = recordAt;
            }
            if (disk != 0 || cdDisk != 0 || entriesHere != entries) {
                throw invalid("the archive is split over several files (a multi-volume ZIP); send one single ZIP file");
            }
            long maxEntries = 2L * limits.maxFiles() + 1;
            if (entries < 0 || entries > maxEntries) {
                throw tooLarge("the archive lists " + Long.toUnsignedString(entries) + " entries; at most " + maxEntries
                        + " files and folders are accepted (pipelinex.intake.max-files)");
            }
            if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > eocd || cdSize < 46 * entries) {
                throw invalid("the archive is damaged or truncated: its central directory lies outside the file");
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the upload: " + e.getMessage(), e);
        }
    }

    private static String describe(FileChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4);
        ch.read(head, 0);
        byte[] b = head.array();
        if ((b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
            return "it looks like a gzip file, perhaps a .tar.gz; send a ZIP";
        }
        if (b[0] == 'P' && b[1] == 'K') {
            return "it starts like a ZIP but is truncated or damaged";
        }
        return "send the project as a ZIP file";
    }

    private static ByteBuffer read(FileChannel ch, long at, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) {
                throw invalid("the archive is truncated");
            }
        }
        return buf.flip();
    }

    /**
     * Compares each entry's local header with its central directory record (name, method,
     * flags) and refuses entries whose data overlap another's or run past the central directory.
     */
    private void headers(Path zipFile, List<ZipArchiveEntry> entries) throws IOException {
        List<ZipArchiveEntry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(ZipArchiveEntry::getLocalHeaderOffset));
        try (FileChannel ch = FileChannel.open(zipFile, StandardOpenOption.READ)) {
            long size = ch.size();
            long end = -1;
            for (ZipArchiveEntry e : byOffset) {
                long at = e.getLocalHeaderOffset();
                if (at < 0 || at + 30 > size) {
                    throw invalid("entry '" + e.getName() + "' points outside the archive");
                }
                if (at < end) {
                    throw invalid("entry '" + e.getName() + "' overlaps another entry's data; this looks like a ZIP bomb");
                }
                ByteBuffer h = read(ch, at, 30);
                if (h.getInt(0) != LOCAL) {
                    throw invalid("entry '" + e.getName() + "' has no local header where the central directory says");
                }
                int flags = h.getShort(6) & 0xFFFF;
                int method = h.getShort(8) & 0xFFFF;
                int nameLength = h.getShort(26) & 0xFFFF;
                int extraLength = h.getShort(28) & 0xFFFF;
                byte[] localName = new byte[nameLength];
                read(ch, at + 30, nameLength).get(localName);
                if (!Arrays.equals(localName, e.getRawName())) {
                    throw invalid("entry '" + e.getName() + "' is named '"
                            + new String(localName, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?")
                            + "' in its local header; the two names must agree");
                }
                if (method != e.getMethod() || (flags & 0x41) != 0) {
                    throw invalid("entry '" + e.getName() + "': its local header disagrees with the central directory"
                            + " (compression method or encryption)");
                }
                end = at + 30 + nameLength + extraLength + e.getCompressedSize();
                if (e.getCompressedSize() < 0 || end > size) {
                    throw invalid("entry '" + e.getName() + "' runs past the end of the archive; it is truncated");
                }
            }
        }
    }

    /** Checks every entry's name and kind before anything is written; returns the file entries. */
    private List<ZipArchiveEntry> check(ZipFile zip, List<ZipArchiveEntry> entries) {
        Set<String> seen = new HashSet<>();
        Set<String> fileKeys = new HashSet<>();
        Set<String> folderKeys = new HashSet<>();
        List<ZipArchiveEntry> files = new ArrayList<>();
        long declared = 0;
        for (ZipArchiveEntry e : entries) {
            String name = e.getName();
            byte[] raw = e.getRawName() == null ? name.getBytes(StandardCharsets.UTF_8) : e.getRawName();
            String stored = new String(raw, StandardCharsets.UTF_8);
            String shown = stored.replaceAll("\\p{Cntrl}", "?");
            if (name.indexOf('\0') >= 0 || indexOf(raw, (byte) 0) >= 0) {
                throw invalid("entry '" + shown + "' has a NUL character in its name");
            }
            if (name.isEmpty()) {
                throw invalid("an entry has an empty name");
            }
            if (name.length() > MAX_NAME_CHARS) {
                throw invalid("entry '" + shown.substring(0, 60) + "…' has a name longer than " + MAX_NAME_CHARS
                        + " characters");
            }
            // For entries made on DOS/Windows, commons-compress turns backslashes into '/' in
            // getName(); the name as stored still has them.
            if (name.indexOf('\\') >= 0 || stored.indexOf('\\') >= 0) {
                throw invalid("entry '" + shown + "' uses backslashes; ZIP entry names use '/'");
            }
            if (name.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || c == 0x2028 || c == 0x2029)) {
                throw invalid("entry '" + shown + "' has a control or invisible formatting character in its name");
            }
            if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
                throw invalid("entry '" + shown + "' has an absolute path");
            }
            String bare = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            String[] parts = bare.split("/", -1);
            for (String part : parts) {
                if (part.equals("..")) {
                    throw invalid("entry '" + shown + "' climbs out of the archive with '..'");
                }
                if (part.isEmpty() || part.equals(".")) {
                    throw invalid("entry '" + shown + "' has an empty or '.' path segment; write each name once, plainly");
                }
                if (part.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                    throw invalid("entry '" + shown.substring(0, Math.min(60, shown.length()))
                            + "…' has a file or folder name longer than " + MAX_SEGMENT_BYTES + " bytes");
                }
            }
            if (parts.length > limits.maxDepth()) {
                throw invalid("entry '" + shown + "' is nested deeper than " + limits.maxDepth()
                        + " folders (pipelinex.intake.max-depth)");
            }
            int mode = (int) (e.getExternalAttributes() >>> 16) & 0xFFFF;
            int type = (mode >> 12) & 0xF;
            if (e.isUnixSymlink() || type == 0xA || isAsiLink(e)) {
                throw invalid("entry '" + shown + "' is a symbolic link; links are not accepted");
            }
            if (type != 0 && type != 0x8 && type != 0x4) {
                throw invalid("entry '" + shown + "' is a device or special file (a pipe, socket or device node)");
            }
            if (e.getGeneralPurposeBit().usesEncryption() || e.getGeneralPurposeBit().usesStrongEncryption()) {
                throw invalid("entry '" + shown + "' is encrypted; send an archive without a password");
            }
            if (e.getMethod() != ZipArchiveEntry.STORED && e.getMethod() != ZipArchiveEntry.DEFLATED) {
                throw invalid("entry '" + shown + "' uses compression method " + e.getMethod()
                        + "; only stored and deflated entries are accepted");
            }
            if (!zip.canReadEntryData(e)) {
                throw invalid("entry '" + shown + "' cannot be read (an unsupported ZIP feature)");
            }
            String key = Normalizer.normalize(bare, Normalizer.Form.NFC);
            if (!seen.add(key)) {
                throw invalid("entry '" + shown + "' appears twice"
                        + (key.equals(bare) ? "" : " (after Unicode normalisation)"));
            }
            for (int i = 1; i < parts.length; i++) {
                folderKeys.add(Normalizer.normalize(String.join("/", Arrays.copyOf(parts, i)), Normalizer.Form.NFC));
            }
            if (e.isDirectory()) {
                folderKeys.add(key);
            } else {
                fileKeys.add(key);
                if (e.getSize() < 0 || e.getCompressedSize() < 0) {
                    throw invalid("entry '" + shown + "' does not declare its size");
                }
                declared += e.getSize();
                if (declared > limits.maxUnpackedBytes() || declared < 0) {
                    throw tooLarge("the archive unpacks to more than " + mib(limits.maxUnpackedBytes())
                            + " by the sizes its entries declare (pipelinex.intake.max-unpacked-bytes)");
                }
                files.add(e);
                if (files.size() > limits.maxFiles()) {
                    throw tooLarge("the archive holds more than " + limits.maxFiles() + " files (pipelinex.intake.max-files)");
                }
            }
        }
        for (String f : fileKeys) {
            if (folderKeys.contains(f)) {
                throw invalid("'" + f + "' is both a file and a folder in the archive");
            }
        }
        return files;
    }

    private static boolean isAsiLink(ZipArchiveEntry e) {
        ZipExtraField f = e.getExtraField(new AsiExtraField().getHeaderId());
        return f instanceof AsiExtraField asi && (asi.isLink() || ((asi.getMode() >> 12) & 0xF) != 0
                && ((asi.getMode() >> 12) & 0xF) != 0x8 && ((asi.getMode() >> 12) & 0xF) != 0x4);
    }

    private static int indexOf(byte[] data, byte b) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
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

    /** Removes whatever a refused archive left in {@code target}, keeping the folder itself. */
    private static void empty(Path target) {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> children = Files.list(target)) {
            children.forEach(Workspaces::deleteTree);
        } catch (IOException | UncheckedIOException e) {
            // the caller removes the whole workspace as well
        }
    }

    private static RequestRefusedException invalid(String detail) {
        return new RequestRefusedException(Refusal.INVALID_ARCHIVE, detail);
    }

    private static RequestRefusedException tooLarge(String detail) {
        return new RequestRefusedException(Refusal.TOO_LARGE, detail);
    }

    private static String mib(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }
}
