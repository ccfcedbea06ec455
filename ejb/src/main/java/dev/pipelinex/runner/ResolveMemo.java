package dev.pipelinex.runner;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.ResultStatus;
import dev.pipelinex.job.StageResult;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.pipeline.Stage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Lets a job skip the resolve stage when an earlier job resolved the same POMs and the shared
 * Maven cache still holds every artifact that resolve named ({@code out/resolve/artifacts.txt}).
 * The key is a SHA-256 of what decides the resolution: every {@code pom.xml} of the source and
 * its {@code .mvn/} configuration, the pipeline's own files, the stage's environment (the JDK
 * among it: profiles may depend on it) and the runner's Maven and upstreams. Entries live in the
 * repository proxy's own folder beside the shared cache, which no stage sees, so every node
 * sharing the cache shares them and no job reads another's.
 */
public final class ResolveMemo {

    private static final Logger LOG = Logger.getLogger(ResolveMemo.class.getName());
    private static final String STAGE = Stage.RESOLVE.id();
    /** A resolve that needs more artifacts than this is not remembered. */
    private static final int MAX_ARTIFACTS = 50_000;
    /** A source tree with more files than this is not looked at (its POMs would be costly to find). */
    private static final int MAX_FILES = 200_000;
    private static final Pattern ARTIFACT_PATH = Pattern.compile("[A-Za-z0-9_.+~-]+(/[A-Za-z0-9_.+~-]+){3,}\\.(pom|jar|war|ear|zip)");
    private static final List<String> MAVEN_CONFIG = List.of(".mvn/extensions.xml", ".mvn/maven.config", ".mvn/jvm.config");

    private final Path dir;
    private final List<Path> repositories;
    private final String runner;

    /** A run of the resolve stage's process or container. */
    @FunctionalInterface
    public interface Resolution {
        StageRun run() throws InterruptedException;
    }

    /**
     * @param dir          where entries are kept: the server's own folder, which no stage sees
     *                     (an entry names another job and its dependencies)
     * @param repositories the read-only repositories the stages see behind their own (the shared
     *                     cache first), where every remembered artifact must still be
     * @param runner       what else decides the resolution: the runner's Maven, image, upstreams
     */
    public ResolveMemo(Path dir, List<Path> repositories, String runner) {
        this.dir = dir;
        this.repositories = List.copyOf(repositories);
        this.runner = runner;
    }

    /**
     * A resolve stage as both runners run it: an earlier resolution reused when it can be, else
     * {@code resolution} run; after a run that passed, the resolution is remembered under the
     * key computed before it ran. (What it downloaded came through the repository proxy, which
     * kept it in the shared cache: nothing of the job's is copied there.)
     */
    public StageRun resolve(StageCommand cmd, Resolution resolution) throws InterruptedException {
        Optional<String> key = key(cmd);
        Optional<StageRun> reused = key.flatMap(k -> reuse(cmd, k));
        if (reused.isPresent()) {
            return reused.get();
        }
        StageRun run = resolution.run();
        if (!run.timedOut() && run.exitCode() == 0) {
            key.ifPresent(k -> remember(cmd, k));
        }
        return run;
    }

    /** The key of this job's resolution, computed before its resolve stage runs; empty when it cannot be. */
    public Optional<String> key(StageCommand cmd) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(sha, "runner", runner);
            update(sha, "stack", cmd.stackId());
            for (Map.Entry<String, String> e : new TreeMap<>(cmd.env()).entrySet()) {
                update(sha, "env " + e.getKey(), e.getValue());
            }
            List<Path> pipeline;
            try (var files = Files.walk(cmd.pipelineDir())) {
                pipeline = files.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : pipeline) {
                update(sha, "pipeline " + cmd.pipelineDir().relativize(f), Files.readAllBytes(f));
            }
            Path source = cmd.workspace().source();
            List<Path> poms = poms(source);
            if (poms == null) {
                return Optional.empty();
            }
            for (String config : MAVEN_CONFIG) {
                if (Files.isRegularFile(source.resolve(config), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    poms.add(source.resolve(config));
                }
            }
            for (Path f : poms) {
                update(sha, "source " + source.relativize(f), Files.readAllBytes(f));
            }
            return Optional.of(HexFormat.of().formatHex(sha.digest()));
        } catch (IOException | UncheckedIOException e) {
            LOG.fine("no resolve key for job " + cmd.workspace().jobId() + ": " + e.getMessage());
            return Optional.empty();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * When an earlier job with this key resolved everything and all of it is still in the
     * repositories: writes the stage's result (PASSED, nothing downloaded) and log line, and
     * returns the stage's run; otherwise empty, and the stage runs.
     */
    public Optional<StageRun> reuse(StageCommand cmd, String key) {
        long start = System.nanoTime();
        Path entry = dir.resolve(key + ".txt");
        List<String> lines;
        try {
            if (!Files.isRegularFile(entry)) {
                return Optional.empty();
            }
            lines = Files.readAllLines(entry, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.isEmpty() || !lines.get(0).startsWith("job ")) {
            return Optional.empty();
        }
        String job = lines.get(0).substring(4).trim();
        List<String> artifacts = lines.subList(1, lines.size());
        for (String artifact : artifacts) {
            if (repositories.stream().noneMatch(r -> Files.isRegularFile(r.resolve(artifact)))) {
                LOG.info("job " + cmd.workspace().jobId() + ": resolves again, " + artifact + " is no longer in the cache");
                return Optional.empty();
            }
        }
        long took = (System.nanoTime() - start) / 1_000_000;
        // The earlier job is named in the server's log only: it may be another account's.
        LOG.info("job " + cmd.workspace().jobId() + ": resolve skipped, job " + job + " resolved the same POMs");
        String message = "nothing to download: an earlier job resolved the same POMs, and all " + artifacts.size()
                + " artifacts they need are in the shared Maven cache";
        Workspace ws = cmd.workspace();
        try {
            Files.createDirectories(ws.stageReports(STAGE));
            Files.writeString(cmd.log(), "[resolve] " + message + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            return Optional.empty();
        }
        JobFiles.writeResult(ws, new StageResult(STAGE, ResultStatus.PASSED, took, message,
                Map.of("artifacts", Map.of("downloaded", 0, "reused", true, "needed", artifacts.size()))));
        return Optional.of(new StageRun(0, false, took));
    }

    /**
     * After a resolve stage that passed: keeps its artifact list under the key, unless the
     * stage wrote none (SNAPSHOTs from outside) or one that is not a plain list of repository paths.
     */
    public void remember(StageCommand cmd, String key) {
        try {
            // The stage's own output folder: read without following a link, and capped.
            Optional<byte[]> listed = dev.pipelinex.files.NoFollow.readFile(cmd.workspace().output(STAGE), "artifacts.txt",
                    MAX_ARTIFACTS * 300L);
            if (listed.isEmpty()) {
                return;
            }
            List<String> artifacts = new ArrayList<>();
            for (String line : new String(listed.get(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                if (!ARTIFACT_PATH.matcher(line).matches() || line.contains("..") || artifacts.size() >= MAX_ARTIFACTS) {
                    return;
                }
                artifacts.add(line);
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".entry", ".tmp");
            try {
                List<String> lines = new ArrayList<>();
                lines.add("job " + cmd.workspace().jobId());
                lines.addAll(artifacts);
                Files.write(tmp, lines, StandardCharsets.UTF_8);
                Files.move(tmp, dir.resolve(key + ".txt"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.warning("job " + cmd.workspace().jobId() + ": its resolution is not remembered: " + e.getMessage());
        }
    }

    /** Every pom.xml of the source, sorted, outside target/ and .git/; null when the tree is too large. */
    private static List<Path> poms(Path source) throws IOException {
        List<Path> poms = new ArrayList<>();
        int[] files = {0};
        boolean[] tooLarge = {false};
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                String name = d.getFileName() == null ? "" : d.getFileName().toString();
                return !d.equals(source) && (name.equals(".git") || name.equals("target")) ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (++files[0] > MAX_FILES) {
                    tooLarge[0] = true;
                    return FileVisitResult.TERMINATE;
                }
                if (attrs.isRegularFile() && f.getFileName().toString().equals("pom.xml")) {
                    poms.add(f);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (tooLarge[0]) {
            return null;
        }
        poms.sort(null);
        return poms;
    }

    private static void update(MessageDigest sha, String name, String value) {
        update(sha, name, value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8));
    }

    private static void update(MessageDigest sha, String name, byte[] value) {
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(Long.toString(value.length).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(value);
    }
}
