package dev.pipelinex.scanners.secrets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/**
 * Scans the lines each commit added: every commit reachable from HEAD and all refs, newest
 * first, diffed against its first parent (a root commit adds all its lines), at most
 * {@code maxCommits} of them. Files are skipped by the same rules as in the working tree
 * (skipped folders, symbolic links and submodules, large and binary files, allowlisted paths).
 * A secret found in several commits is reported once, for the oldest commit scanned.
 */
public final class HistoryScanner {

    /** The secrets found (one per fingerprint), the commits scanned and whether the limit cut the walk short. */
    public record Result(List<Occurrence> occurrences, int commitsScanned, boolean truncated) {
    }

    private HistoryScanner() {
    }

    public static Result scan(Path projectRoot, SecretMatcher matcher, int maxCommits) throws IOException {
        Map<String, Occurrence> byFingerprint = new LinkedHashMap<>();
        int commits = 0;
        boolean truncated = false;
        try (Repository repo = new FileRepositoryBuilder().setWorkTree(projectRoot.toFile()).setMustExist(true).build();
             RevWalk walk = new RevWalk(repo);
             DiffFormatter diff = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            diff.setRepository(repo);
            diff.setDiffComparator(RawTextComparator.DEFAULT);
            diff.setDetectRenames(true);
            ObjectReader reader = walk.getObjectReader();
            List<Ref> starts = new ArrayList<>(repo.getRefDatabase().getRefs());
            Ref head = repo.exactRef(Constants.HEAD);
            if (head != null) {
                starts.add(head);
            }
            for (Ref ref : starts) {
                ObjectId id = ref.getObjectId();
                if (id == null) {
                    continue;
                }
                try {
                    RevObject o = walk.peel(walk.parseAny(id));
                    if (o instanceof RevCommit c) {
                        walk.markStart(c);
                    }
                } catch (MissingObjectException e) {
                    // a ref to an object the repository lacks: nothing to walk from there
                }
            }
            for (RevCommit c = walk.next(); c != null; c = walk.next()) {
                if (commits >= maxCommits) {
                    truncated = true;
                    break;
                }
                commits++;
                String shortId = c.abbreviate(7).name();
                RevTree parentTree = null;
                if (c.getParentCount() > 0) {
                    parentTree = walk.parseCommit(c.getParent(0)).getTree();
                }
                for (DiffEntry e : diff.scan(parentTree, c.getTree())) {
                    for (Occurrence o : scanEntry(e, diff, reader, matcher, shortId)) {
                        byFingerprint.put(o.fingerprint(), o);
                    }
                }
            }
        }
        return new Result(new ArrayList<>(byFingerprint.values()), commits, truncated);
    }

    private static List<Occurrence> scanEntry(DiffEntry e, DiffFormatter diff, ObjectReader reader, SecretMatcher matcher,
                                              String commit) throws IOException {
        if (e.getChangeType() == DiffEntry.ChangeType.DELETE) {
            return List.of();
        }
        FileMode mode = e.getNewMode();
        if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) {
            return List.of();
        }
        String path = e.getNewPath();
        if (TreeScanner.inSkippedDir(path) || matcher.skipsPath(path)) {
            return List.of();
        }
        ObjectId blob = e.getNewId().toObjectId();
        if (reader.getObjectSize(blob, Constants.OBJ_BLOB) > TreeScanner.MAX_FILE_BYTES) {
            return List.of();
        }
        byte[] content = reader.open(blob, Constants.OBJ_BLOB).getCachedBytes((int) TreeScanner.MAX_FILE_BYTES);
        if (TreeScanner.isBinary(content)) {
            return List.of();
        }
        List<Occurrence> found = new ArrayList<>();
        if (e.getChangeType() == DiffEntry.ChangeType.ADD) {
            matcher.scan(path, content, 0, content.length, 1).forEach(h -> found.add(new Occurrence(path, h, commit)));
            return found;
        }
        int[] lineStarts = null;
        for (Edit edit : diff.toFileHeader(e).toEditList()) {
            if (edit.getLengthB() == 0) {
                continue;
            }
            if (lineStarts == null) {
                lineStarts = lineStarts(content);
            }
            int from = lineStarts[edit.getBeginB()];
            int to = edit.getEndB() < lineStarts.length ? lineStarts[edit.getEndB()] : content.length;
            matcher.scan(path, content, from, to, edit.getBeginB() + 1)
                    .forEach(h -> found.add(new Occurrence(path, h, commit)));
        }
        return found;
    }

    private static int[] lineStarts(byte[] content) {
        int n = 1;
        for (int i = 0; i < content.length - 1; i++) {
            if (content[i] == '\n') {
                n++;
            }
        }
        int[] starts = new int[n];
        int k = 1;
        for (int i = 0; i < content.length - 1; i++) {
            if (content[i] == '\n') {
                starts[k++] = i + 1;
            }
        }
        return starts;
    }
}
