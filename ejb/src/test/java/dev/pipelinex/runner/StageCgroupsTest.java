package dev.pipelinex.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageCgroupsTest {

    @TempDir
    Path dir;

    /**
     * A node name of this test JVM alone: a server (or another build's tests) starting on this
     * host closes the leftover groups of its own node, and must not take this one's for them.
     */
    static String ownNode() {
        return "pipelinex-unit-tests@" + ProcessHandle.current().pid();
    }

    /** Removes this JVM's stage parents once its groups are closed. */
    static void removeParents(StageCgroups groups) {
        for (Path parent : groups.parents()) {
            try {
                Files.deleteIfExists(parent);
            } catch (java.io.IOException busy) {
                // a group of a test still running
            }
        }
    }

    @Test
    void version1HierarchiesAreTheServersOwnGroupsOfTheMemoryAndPidsControllers() throws Exception {
        List<String> mountinfo = List.of(
                "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
                "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
                "34 30 0:31 /box /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
                "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
        List<String> cgroup = List.of("8:pids:/", "4:memory:/box/server", "1:cpu:/", "0::/");
        var found = StageCgroups.find(mountinfo, cgroup, "p");
        assertEquals(2, found.size(), found.toString());
        assertEquals(Path.of("/sys/fs/cgroup/memory/server/p"), found.get(0).parent(),
                "below the server's own group, as seen from the mount's root");
        assertEquals(Path.of("/sys/fs/cgroup/pids/p"), found.get(1).parent());
        assertFalse(found.get(0).v2());
    }

    @Test
    void withoutBothControllersThereAreNoLimitsToSet() throws Exception {
        List<String> mountinfo = List.of("38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids");
        assertEquals(List.of(), StageCgroups.find(mountinfo, List.of("8:pids:/"), "p"));
        Path unified = Files.createDirectories(dir.resolve("unified"));
        Files.writeString(unified.resolve("cgroup.controllers"), "cpu io\n");
        assertEquals(List.of(), StageCgroups.find(List.of("40 30 0:37 / " + unified + " rw - cgroup2 cgroup2 rw"),
                List.of("0::/"), "p"), "a unified hierarchy without memory and pids");
        Files.writeString(unified.resolve("cgroup.controllers"), "cpu memory io pids\n");
        var found = StageCgroups.find(List.of("40 30 0:37 / " + unified + " rw - cgroup2 cgroup2 rw"),
                List.of("0::/system.slice/pipelinex.service"), "p");
        assertEquals(unified.resolve("system.slice/pipelinex.service/p"), found.get(0).parent());
        assertTrue(found.get(0).v2());
    }

    @Test
    void twoNodesOfOneHostHaveGroupsApart() {
        assertFalse(StageCgroups.parentName("pipelinex@/a").equals(StageCgroups.parentName("pipelinex@/b")));
    }

    /** The real thing, where this machine lets the server make control groups. */
    @Test
    void aStageThatForksWithoutBoundIsStoppedAtItsLimitAndNothingOfItIsLeft() throws Exception {
        Optional<StageCgroups> groups = StageCgroups.detect(new StageCgroups.Limits(256L << 20, 32), StageCgroupsTest.ownNode());
        assumeTrue(groups.isPresent(), "control groups can be made here");
        StageCgroups.Group group = groups.get().create("fork-" + System.nanoTime());
        // dash gives up at the first fork refused (bash would retry for seconds); its sleepers stay behind.
        String script = "i=0; while [ $i -lt 100 ]; do sleep 60 & i=$((i+1)); done; wait";
        Process p = new ProcessBuilder(group.wrap(List.of("dash", "-c", script))).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the stage ends");
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Optional<String> reached = group.limitsReached(groups.get().limits());
        assertTrue(reached.isPresent() && reached.get().contains("its limit of 32 processes"), reached + " " + printed);
        List<ProcessHandle> sleepers = group.pids().stream().map(ProcessHandle::of).flatMap(Optional::stream).toList();
        group.close();
        assertTrue(sleepers.size() > 0 && sleepers.size() < 32,
                "at most 32 processes, not 100, and they outlived the stage until the group was closed: " + sleepers.size());
        for (ProcessHandle h : sleepers) {
            h.onExit().get(5, TimeUnit.SECONDS);
        }
        removeParents(groups.get());
    }
}
