package dev.pipelinex.admission;

import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.util.List;

/**
 * The stacks this installation serves and the tool versions it has for them. A request for
 * anything else is refused with what is served.
 */
public final class Stacks {

    public static final List<String> JAVA_VERSIONS = List.of("17");
    public static final List<String> MAVEN_VERSIONS = List.of("3.9");

    private final List<StackContract> contracts = List.of(new SpringBootMavenContract());

    /** The contract for the requested stack, or a refusal naming what is served. */
    public StackContract contractFor(JobRequest request) {
        JobRequest.Stack s = request.stack();
        boolean springBootMaven = s.language().equalsIgnoreCase("java")
                && s.framework().equalsIgnoreCase("spring-boot")
                && s.buildTool().equalsIgnoreCase("maven");
        if (!springBootMaven) {
            throw new RequestRefusedException(Refusal.UNSUPPORTED_STACK, "stack " + s.language() + "/"
                    + s.framework() + "/" + s.buildTool() + " is not served; served stacks: "
                    + "java/spring-boot/maven");
        }
        JobRequest.Versions v = request.versions();
        if (!JAVA_VERSIONS.contains(v.java())) {
            throw new RequestRefusedException(Refusal.UNSUPPORTED_STACK, "Java " + v.java()
                    + " is not served; served Java versions: " + String.join(", ", JAVA_VERSIONS));
        }
        if (MAVEN_VERSIONS.stream().noneMatch(m -> v.buildTool().equals(m) || v.buildTool().startsWith(m + "."))) {
            throw new RequestRefusedException(Refusal.UNSUPPORTED_STACK, "Maven " + v.buildTool()
                    + " is not served; served Maven versions: " + String.join(", ", MAVEN_VERSIONS));
        }
        return contracts.get(0);
    }
}
