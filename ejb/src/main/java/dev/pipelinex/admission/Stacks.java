package dev.pipelinex.admission;

import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import dev.pipelinex.runner.JavaHomes;
import java.util.List;
import java.util.Locale;

/**
 * The stacks this installation serves and the tool versions it has for them: Java releases
 * for which the runner has a JDK at least as new, and Maven 3.9. A request for anything else
 * is refused with what is served.
 */
public final class Stacks {

    public static final List<String> MAVEN_VERSIONS = List.of("3.9");

    private final List<StackContract> contracts = List.of(new SpringBootMavenContract(), new MavenContract());
    private final List<String> javaVersions;

    /**
     * @param wanted    the Java releases this installation offers (pipelinex.java.versions)
     * @param javaHomes the runner's JDKs: a release is served when one of them is at least as new
     */
    public Stacks(List<String> wanted, JavaHomes javaHomes) {
        this.javaVersions = wanted.stream()
                .filter(v -> v.matches("\\d{1,3}") && javaHomes.forRelease(Integer.parseInt(v)).isPresent())
                .toList();
    }

    public List<StackContract> contracts() {
        return contracts;
    }

    /** The Java releases served, oldest first. */
    public List<String> javaVersions() {
        return javaVersions;
    }

    /** The contract for the requested stack, or a refusal naming what is served. */
    public StackContract contractFor(JobRequest request) {
        JobRequest.Stack s = request.stack();
        StackContract contract = null;
        if (s.language().equalsIgnoreCase("java") && s.buildTool().equalsIgnoreCase("maven")) {
            String framework = s.framework().toLowerCase(Locale.ROOT);
            contract = contracts.stream().filter(c -> c.framework().equals(framework)).findFirst().orElse(null);
        }
        if (contract == null) {
            throw new RequestRefusedException(Refusal.UNSUPPORTED_STACK, "stack " + s.language() + "/"
                    + s.framework() + "/" + s.buildTool() + " is not served; served stacks: "
                    + String.join(", ", contracts.stream().map(c -> "java/" + c.framework() + "/maven").toList())
                    + " (GET /api/stacks)");
        }
        JobRequest.Versions v = request.versions();
        if (!javaVersions.contains(v.java())) {
            throw new RequestRefusedException(Refusal.UNSUPPORTED_STACK, "Java " + v.java()
                    + " is not served; served Java versions: " + String.join(", ", javaVersions));
        }
        if (MAVEN_VERSIONS.stream().noneMatch(m -> v.buildTool().equals(m) || v.buildTool().startsWith(m + "."))) {
            throw new RequestRefusedException(Refusal.UNSUPPORTED_STACK, "Maven " + v.buildTool()
                    + " is not served; served Maven versions: " + String.join(", ", MAVEN_VERSIONS));
        }
        return contract;
    }
}
