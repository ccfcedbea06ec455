package dev.pipelinex.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Memory and process limits of the local runner's stages: a control group of its own for each
 * stage, below the server's own, with {@code memory} and {@code pids} limits like the Docker
 * runner's containers. Works with cgroup v1 (a hierarchy per controller) and v2 (one unified
 * hierarchy, where the server's group must let its children have the two controllers). The
 * stage's first process joins the group before it starts anything, so every process the stage
 * makes is counted and, at its end, killed.
 */
public final class StageCgroups {

    private static final Logger LOG = Logger.getLogger(StageCgroups.class.getName());
    /**
     * The folder below the server's own groups that holds one group per running stage, with a
     * mark of the node's name: two servers of one host never remove each other's.
     */
    static String parentName(String node) {
        return "pipelinex-stages-" + Integer.toHexString(node.hashCode());
    }

    /** What each stage may use: bytes of memory (swap included where counted) and processes. */
    public record Limits(long memoryBytes, long pids) {
    }

    /** A controller's folder for this server's stages, and whether it is of cgroup v2. */
    record Hierarchy(String controller, Path parent, boolean v2) {
    }

    private final List<Hierarchy> hierarchies;
    private final Limits limits;

    private StageCgroups(List<Hierarchy> hierarchies, Limits limits) {
        this.hierarchies = List.copyOf(hierarchies);
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** The folders that hold this server's stage groups, one per hierarchy. */
    List<Path> parents() {
        return hierarchies.stream().map(Hierarchy::parent).toList();
    }

    /**
     * The stage groups of this machine, or empty, with the reason logged loudly, when the server
     * cannot make control groups with both controllers (not root, no cgroup file system mounted,
     * or a v2 group that does not delegate them).
     */
    public static Optional<StageCgroups> detect(Limits limits, String node) {
        try {
            List<Hierarchy> found = find(Files.readAllLines(Path.of("/proc/self/mountinfo")),
                    Files.readAllLines(Path.of("/proc/self/cgroup")), parentName(node));
            if (found.size() != 2) {
                warn("this machine has no cgroup file system with the memory and pids controllers");
                return Optional.empty();
            }
            for (Hierarchy h : found) {
                Files.createDirectories(h.parent());
                if (h.v2()) {
                    // The server's group hands the two controllers down, then the stages' parent does.
                    write(h.parent().getParent().resolve("cgroup.subtree_control"), "+memory +pids");
                    write(h.parent().resolve("cgroup.subtree_control"), "+memory +pids");
                }
            }
            StageCgroups groups = new StageCgroups(found, limits);
            groups.removeLeftovers();
            LOG.info("each local stage runs in a control group of its own: at most " + (limits.memoryBytes() >> 20)
                    + " MiB of memory and " + limits.pids() + " processes (" + found.get(0).parent()
                    + (found.get(0).v2() ? "" : ", " + found.get(1).parent()) + ")");
            return Optional.of(groups);
        } catch (IOException | RuntimeException e) {
            warn("the server cannot make control groups here (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    private static void warn(String why) {
        LOG.severe("LOCAL STAGES HAVE NO MEMORY OR PROCESS LIMIT: " + why + ". A project's build or tests can use all "
                + "of this machine's memory and fork without bound; run the server as root on a machine with "
                + "cgroups, or use the Docker runner.");
    }

    /**
     * The hierarchies for the memory and pids controllers, from the server's mount table and its
     * own groups ({@code /proc/self/mountinfo}, {@code /proc/self/cgroup}): v1 controllers where
     * mounted, else the unified v2 hierarchy when it has both.
     */
    static List<Hierarchy> find(List<String> mountinfo, List<String> cgroup, String parent) throws IOException {
        Map<String, String> own = new LinkedHashMap<>(); // controller (or "" for v2) -> the server's group
        for (String line : cgroup) {
            String[] f = line.split(":", 3);
            if (f.length == 3) {
                for (String c : f[1].split(",")) {
                    own.put(c, f[2]);
                }
            }
        }
        List<Hierarchy> v1 = new ArrayList<>();
        Hierarchy v2 = null;
        for (String line : mountinfo) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            String root = unescape(left[3]);
            Path mount = Path.of(unescape(left[4]));
            if (right[0].equals("cgroup")) {
                for (String option : right[2].split(",")) {
                    if ((option.equals("memory") || option.equals("pids")) && own.containsKey(option)) {
                        v1.add(new Hierarchy(option, groupPath(mount, root, own.get(option)).resolve(parent), false));
                    }
                }
            } else if (right[0].equals("cgroup2") && own.containsKey("")) {
                Path server = groupPath(mount, root, own.get(""));
                String controllers = Files.exists(mount.resolve("cgroup.controllers"))
                        ? Files.readString(mount.resolve("cgroup.controllers")) : "";
                if (List.of(controllers.trim().split(" ")).containsAll(List.of("memory", "pids"))) {
                    v2 = new Hierarchy("", server.resolve(parent), true);
                }
            }
        }
        if (v1.size() == 2) {
            return v1;
        }
        return v2 == null ? List.of() : List.of(v2, v2);
    }

    /** Where the server's group is under a mount whose root is {@code root} (a container sees its own group as "/"). */
    private static Path groupPath(Path mount, String root, String group) {
        String rel = group.startsWith(root) ? group.substring(root.length()) : group;
        Path p = mount;
        for (String part : rel.split("/")) {
            if (!part.isEmpty()) {
                p = p.resolve(part);
            }
        }
        return p;
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** Makes the groups of one stage, named {@code name} (unique among running stages), with the limits set. */
    public Group create(String name) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (Hierarchy h : hierarchies.get(0).v2() ? hierarchies.subList(0, 1) : hierarchies) {
            Path dir = h.parent().resolve(name);
            Files.createDirectories(dir);
            dirs.add(dir);
            if (h.v2()) {
                write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
                if (Files.exists(dir.resolve("memory.swap.max"))) {
                    write(dir.resolve("memory.swap.max"), "0");
                }
                write(dir.resolve("pids.max"), Long.toString(limits.pids()));
            } else if (h.controller().equals("memory")) {
                write(dir.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
            } else {
                write(dir.resolve("pids.max"), Long.toString(limits.pids()));
            }
        }
        return new Group(dirs);
    }

    /**
     * Closes the groups an earlier run of this server left (a crash): what still runs in them is
     * killed, as the stage it belonged to has no server any more. The parent is the node's own
     * (see {@link #parentName}), so no other server's stages are touched.
     */
    private void removeLeftovers() {
        for (Hierarchy h : hierarchies) {
            try (var children = Files.list(h.parent())) {
                for (Path dir : children.filter(Files::isDirectory).toList()) {
                    new Group(List.of(dir)).close();
                }
            } catch (IOException e) {
                LOG.fine("cannot list " + h.parent() + ": " + e.getMessage());
            }
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardCharsets.US_ASCII);
    }

    /** One stage's groups: its first process joins them, and closing kills what is left and removes them. */
    public static final class Group implements AutoCloseable {
        private final List<Path> dirs;

        private Group(List<Path> dirs) {
            this.dirs = List.copyOf(dirs);
        }

        /**
         * The command that joins the groups, then runs {@code command} in the same process
         * (so nothing it starts is outside them).
         */
        public List<String> wrap(List<String> command) {
            List<String> cmd = new ArrayList<>(List.of("sh", "-c",
                    "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift; n=$((n-1)); done; exec \"$@\"",
                    "pipelinex-stage", Integer.toString(dirs.size())));
            dirs.forEach(d -> cmd.add(d.resolve("cgroup.procs").toString()));
            cmd.addAll(command);
            return cmd;
        }

        /** What the kernel counted against the limits: empty, or a sentence for the stage's log. */
        public Optional<String> limitsReached(Limits limits) {
            List<String> hit = new ArrayList<>();
            for (Path dir : dirs) {
                long oom = counter(dir.resolve("memory.events"), "oom_kill");
                if (oom < 0) {
                    oom = counter(dir.resolve("memory.oom_control"), "oom_kill");
                }
                if (oom > 0) {
                    hit.add("its memory limit of " + (limits.memoryBytes() >> 20) + " MiB (" + oom + " processes killed)");
                }
                long pids = counter(dir.resolve("pids.events"), "max");
                if (pids > 0) {
                    hit.add("its limit of " + limits.pids() + " processes (" + pids + " refused)");
                }
            }
            return hit.isEmpty() ? Optional.empty() : Optional.of("the stage reached " + String.join(" and ", hit));
        }

        private static long counter(Path file, String key) {
            try {
                for (String line : Files.readAllLines(file)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 2 && f[0].equals(key)) {
                        return Long.parseLong(f[1]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not counted here
            }
            return -1;
        }

        /** The processes in the groups now. */
        List<Long> pids() throws IOException {
            List<Long> pids = new ArrayList<>();
            for (String line : Files.readAllLines(dirs.get(0).resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
            return pids;
        }

        /** Kills every process still in the groups, then removes them (a few tries while the processes exit). */
        @Override
        public void close() {
            for (Path dir : dirs) {
                for (int attempt = 0; attempt < 40; attempt++) {
                    try {
                        for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                            if (!pid.isBlank()) {
                                ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                            }
                        }
                        Files.delete(dir);
                        break;
                    } catch (java.nio.file.NoSuchFileException gone) {
                        break;
                    } catch (IOException | RuntimeException e) {
                        if (attempt == 39) {
                            LOG.warning("cannot remove the control group " + dir + ": " + e.getMessage());
                        }
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException interrupted) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }
    }
}
