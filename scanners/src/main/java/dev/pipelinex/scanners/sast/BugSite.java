package dev.pipelinex.scanners.sast;

import java.util.List;

/**
 * Where SpotBugs saw a flaw, as the precision step needs it: the method (class name with dots,
 * name, descriptor), the primary lines, and for FindSecBugs' taint patterns the sink method
 * ({@code owner.name(desc)}) and the injectable arguments counted from the last (0).
 */
public record BugSite(String className, String methodName, String signature, int startLine, int endLine,
                      String sinkMethod, List<Integer> sinkParameters) {

    public BugSite {
        sinkParameters = sinkParameters == null ? List.of() : List.copyOf(sinkParameters);
    }
}
