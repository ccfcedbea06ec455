package dev.pipelinex.intake;

import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.EmptyProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;

/** Clones a repository (depth 1 unless its history is wanted, no submodules, under a deadline) into a job's {@code source/}. */
public final class GitIntake {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    private final GitPolicy policy;
    private final IntakeLimits limits;

    public GitIntake(GitPolicy policy, IntakeLimits limits) {
        this.policy = policy;
        this.limits = limits;
    }

    /** The URL in the one form that will be cloned, or a refusal that says what is wrong with it. */
    public URI check(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw refused("'" + url + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && policy.allowHttp())) {
            throw refused("only https URLs are accepted, such as https://github.com/owner/repo.git");
        }
        if (uri.getRawUserInfo() != null) {
            throw refused("the URL must not carry a user name or password");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!policy.allowedHosts().contains(host)) {
            throw refused("host '" + host + "' is not allowed; allowed hosts: "
                    + String.join(", ", policy.allowedHosts().stream().sorted().toList()));
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw refused("the URL must not have a query or a fragment");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String[] parts = path.replaceFirst("^/", "").replaceFirst("/$", "").split("/");
        if (parts.length != 2 || !SEGMENT.matcher(parts[0]).matches() || !SEGMENT.matcher(parts[1]).matches()
                || parts[0].startsWith(".") || parts[1].startsWith(".") || parts[1].equals(".git")) {
            throw refused("the path must be /owner/repository, got '" + path + "'");
        }
        String repo = parts[1].endsWith(".git") ? parts[1] : parts[1] + ".git";
        return URI.create(scheme + "://" + host + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + "/" + parts[0] + "/" + repo);
    }

    /** Clones the tip of {@code url} (depth 1) into {@code target}; returns the commit checked out. */
    public String clone(URI url, Path target) {
        return clone(url, target, false);
    }

    /**
     * Clones {@code url} into {@code target}, with its whole history when {@code history} is set
     * (for a secret scan of past commits), else at depth 1; returns the commit checked out.
     */
    public String clone(URI url, Path target, boolean history) {
        long deadline = System.nanoTime() + limits.cloneTimeoutSeconds() * 1_000_000_000L;
        EmptyProgressMonitor monitor = new EmptyProgressMonitor() {
            @Override
            public boolean isCancelled() {
                return System.nanoTime() > deadline;
            }
        };
        var command = Git.cloneRepository()
                .setURI(url.toString())
                .setDirectory(target.toFile())
                .setCloneSubmodules(false);
        if (!history) {
            command.setDepth(1);
        }
        try (Git git = command
                .setTimeout(limits.cloneTimeoutSeconds())
                .setProgressMonitor(monitor)
                .call()) {
            ObjectId head = git.getRepository().resolve("HEAD");
            if (head == null) {
                throw new RequestRefusedException(Refusal.CLONE_FAILED, url + " has no commits");
            }
            return head.name();
        } catch (GitAPIException | java.io.IOException | org.eclipse.jgit.api.errors.JGitInternalException e) {
            if (System.nanoTime() > deadline) {
                throw new RequestRefusedException(Refusal.CLONE_FAILED, "cloning " + url + " took longer than "
                        + limits.cloneTimeoutSeconds() + " s (pipelinex.intake.clone-timeout-seconds)");
            }
            throw new RequestRefusedException(Refusal.CLONE_FAILED, "cloning " + url + " failed: "
                    + e.getMessage() + ". Check that the repository exists and is public.", java.util.List.of(), e);
        }
    }

    private static RequestRefusedException refused(String detail) {
        return new RequestRefusedException(Refusal.INVALID_REPOSITORY_URL, detail);
    }
}
