package dev.pipelinex.index;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The jobs of a workspace root, kept in memory: each job's metadata (written once, never
 * changed) and its last known state, with the counts by state and by account that the metrics,
 * the back-pressure check and the fair-share priority read. Built from the workspaces once, then
 * kept current by {@link #refresh()}, which every reader calls first and which costs what
 * changed, not what is kept:
 * <ul>
 *   <li>the root folder is listed again only when its modification time changed (a job's folder
 *   was made, renamed into place or removed, by this node or another sharing the root), and at
 *   least every {@link #RESCAN_NANOS} in case a file system's times are coarse; a listing reads
 *   the files of new jobs only;</li>
 *   <li>the state.json of a job that is not final is read again only when its modification time
 *   or file key changed (every write replaces the file); a final state never changes, so
 *   finished jobs cost nothing.</li>
 * </ul>
 * Another node's changes are seen at the next refresh after they reach the shared file system;
 * the state shown for one job ({@code GET /api/jobs/{id}}, a page of the list) is always read
 * afresh by the caller.
 */
public final class JobIndex {

    private static final Logger LOG = Logger.getLogger(JobIndex.class.getName());
    static final long RESCAN_NANOS = 10_000_000_000L;
    static final long SETTLE_NANOS = 1_000_000_000L;

    /** One job: its workspace, its metadata, its last known state (null when none could be read). */
    public record Entry(Workspace workspace, JobMetadata metadata, JobState state) {
        String account() {
            return metadata.submittedBy();
        }
    }

    /** Newest first, then by id: the order of the job list. */
    private static final Comparator<Entry> NEWEST_FIRST = Comparator
            .comparing((Entry e) -> e.metadata().createdAt(), Comparator.nullsLast(Comparator.reverseOrder()))
            .thenComparing(e -> e.workspace().jobId());

    private final Workspaces workspaces;
    private final LongSupplier nanoTime;

    private final Map<String, Entry> byId = new HashMap<>();
    private final TreeSet<Entry> newestFirst = new TreeSet<>(NEWEST_FIRST);
    /** Jobs whose state may still change: not final, or not readable yet; with the state file's stamp last read. */
    private final Map<String, Stamp> live = new HashMap<>();
    /** Job folders without metadata.json yet (an admission in progress). */
    private final Set<String> pending = new HashSet<>();
    private final EnumMap<JobState, Integer> byState = new EnumMap<>(JobState.class);
    private final Map<String, Counts> byAccount = new HashMap<>();
    private Stamp rootStamp;
    private long listedAt;
    private boolean listed;

    /** An account's jobs that wait and that run. */
    public record Counts(int queued, int running) {
        public static final Counts NONE = new Counts(0, 0);

        public int active() {
            return queued + running;
        }

        Counts plus(JobState state, int n) {
            return switch (state) {
                case QUEUED -> new Counts(queued + n, running);
                case RUNNING -> new Counts(queued, running + n);
                default -> this;
            };
        }
    }

    public JobIndex(Workspaces workspaces) {
        this(workspaces, System::nanoTime);
    }

    JobIndex(Workspaces workspaces, LongSupplier nanoTime) {
        this.workspaces = Objects.requireNonNull(workspaces);
        this.nanoTime = nanoTime;
        for (JobState s : JobState.values()) {
            byState.put(s, 0);
        }
    }

    public Path root() {
        return workspaces.root();
    }

    /** Brings the index up to what the workspaces hold now (see the class comment for its cost). */
    public synchronized void refresh() {
        Path root = workspaces.root();
        Stamp stamp = stamp(root);
        if (!listed || rootStamp == null || !rootStamp.equals(stamp) || nanoTime.getAsLong() - listedAt > RESCAN_NANOS) {
            relist(root, stamp);
        } else if (!pending.isEmpty()) {
            for (String id : List.copyOf(pending)) {
                load(id);
            }
        }
        for (String id : List.copyOf(live.keySet())) {
            Entry e = byId.get(id);
            Stamp s = stamp(e.workspace().stateFile());
            if (s == null || !s.equals(live.get(id))) {
                live.put(id, s);
                JobState state = readState(e.workspace());
                if (state != e.state()) {
                    replace(e, new Entry(e.workspace(), e.metadata(), state));
                }
            }
        }
    }

    /** A job this node has just admitted: counted at once, before any refresh. */
    public synchronized void added(Workspace ws, JobMetadata metadata, JobStatus status) {
        if (!byId.containsKey(ws.jobId())) {
            pending.remove(ws.jobId());
            put(new Entry(ws, metadata, status.state()), stamp(ws.stateFile()));
        }
    }

    /** Jobs by state, every state present. */
    public synchronized Map<JobState, Integer> countsByState() {
        refresh();
        return new EnumMap<>(byState);
    }

    /** The jobs waiting to run, of every account. */
    public synchronized int queued() {
        refresh();
        return byState.get(JobState.QUEUED);
    }

    /** The jobs of {@code account} that wait and run. */
    public synchronized Counts of(String account) {
        refresh();
        return account == null ? Counts.NONE : byAccount.getOrDefault(account, Counts.NONE);
    }

    /**
     * Whether an account other than {@code account} has a job waiting and fewer than
     * {@code maxRunning} running (0 or less: any number), so that a free worker would be of use to it.
     */
    public synchronized boolean othersWaiting(String account, int maxRunning) {
        refresh();
        for (Map.Entry<String, Counts> e : byAccount.entrySet()) {
            if (!e.getKey().equals(account) && e.getValue().queued() > 0
                    && (maxRunning <= 0 || e.getValue().running() < maxRunning)) {
                return true;
            }
        }
        return false;
    }

    /** The job {@code jobId} as last seen. */
    public synchronized java.util.Optional<Entry> find(String jobId) {
        refresh();
        return java.util.Optional.ofNullable(byId.get(jobId));
    }

    /** One page of the jobs {@code visible} lets through, newest first, and how many it lets through. */
    public record Page(List<Entry> entries, int total) {
    }

    public synchronized Page page(Predicate<JobMetadata> visible, int offset, int limit) {
        refresh();
        List<Entry> page = new ArrayList<>(Math.max(0, Math.min(limit, 1000)));
        int total = 0;
        for (Entry e : newestFirst) {
            if (visible.test(e.metadata())) {
                if (total >= offset && page.size() < limit) {
                    page.add(e);
                }
                total++;
            }
        }
        return new Page(List.copyOf(page), total);
    }

    /** How many jobs are kept. */
    public synchronized int size() {
        refresh();
        return byId.size();
    }

    private void relist(Path root, Stamp stamp) {
        // The stamp is taken before the listing, so a change made while listing is listed again
        // next time; and a folder's time is kept in coarse ticks (a few milliseconds), so a
        // stamp younger than SETTLE_NANOS may yet hide a change made in the same tick: the root
        // is then listed again at the next refresh, until its time has settled.
        rootStamp = stamp == null || System.currentTimeMillis() * 1_000_000L - stamp.modifiedNanos() < SETTLE_NANOS
                ? null : stamp;
        listedAt = nanoTime.getAsLong();
        listed = true;
        Set<String> present = new HashSet<>();
        if (stamp != null) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
                for (Path d : dirs) {
                    String name = d.getFileName().toString();
                    if (Workspaces.isJobId(name)) {
                        present.add(name);
                    }
                }
            } catch (IOException e) {
                LOG.warning("cannot list the workspaces in " + root + ": " + e.getMessage());
                listed = false;
                return;
            }
        }
        for (String id : List.copyOf(byId.keySet())) {
            if (!present.contains(id)) {
                remove(byId.get(id));
            }
        }
        pending.retainAll(present);
        for (String id : present) {
            if (!byId.containsKey(id)) {
                load(id);
            }
        }
    }

    /** Reads a job that appeared; one without metadata.json yet is pending. */
    private void load(String id) {
        Workspace ws = new Workspace(id, workspaces.root().resolve(id));
        JobMetadata metadata;
        try {
            if (!Files.isRegularFile(ws.metadataFile(), LinkOption.NOFOLLOW_LINKS)) {
                pending.add(id);
                return;
            }
            metadata = JobFiles.readMetadata(ws);
        } catch (RuntimeException e) {
            pending.add(id); // half-written or unreadable: tried again at the next refresh
            return;
        }
        pending.remove(id);
        Stamp s = stamp(ws.stateFile());
        put(new Entry(ws, metadata, readState(ws)), s);
    }

    private static JobState readState(Workspace ws) {
        try {
            return JobFiles.readStatus(ws).map(JobStatus::state).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void put(Entry e, Stamp stateStamp) {
        byId.put(e.workspace().jobId(), e);
        newestFirst.add(e);
        count(e, 1);
        if (e.state() == null || !e.state().isFinal()) {
            live.put(e.workspace().jobId(), stateStamp);
        }
    }

    private void remove(Entry e) {
        byId.remove(e.workspace().jobId());
        newestFirst.remove(e);
        live.remove(e.workspace().jobId());
        count(e, -1);
    }

    private void replace(Entry old, Entry now) {
        Stamp s = live.get(old.workspace().jobId());
        remove(old);
        put(now, s);
    }

    private void count(Entry e, int n) {
        if (e.state() == null) {
            return;
        }
        byState.merge(e.state(), n, Integer::sum);
        if (e.account() != null && !e.state().isFinal()) {
            Counts c = byAccount.getOrDefault(e.account(), Counts.NONE).plus(e.state(), n);
            if (c.active() == 0) {
                byAccount.remove(e.account());
            } else {
                byAccount.put(e.account(), c);
            }
        }
    }

    /** What changes when a file or folder is replaced or changed: its modification time, file key and size. */
    record Stamp(long modifiedNanos, String key, long size) {
    }

    /** The stamp of {@code p}; null when it is absent or cannot be read. */
    private static Stamp stamp(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new Stamp(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), String.valueOf(a.fileKey()), a.size());
        } catch (IOException e) {
            return null;
        }
    }
}
