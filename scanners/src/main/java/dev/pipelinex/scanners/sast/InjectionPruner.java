package dev.pipelinex.scanners.sast;

import dev.pipelinex.scanners.report.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * The precision step after SpotBugs: for each injection finding, the method that holds the sink
 * is analysed again ({@link MethodFlow}) with constant propagation, pruning of branches decided
 * by constants, local maps, lists, arrays and string builders, and summaries of the
 * application's own methods. When every call to the sink on the finding's lines is unreachable
 * or receives only untainted values in its injectable arguments, the finding is marked as
 * suppressed with the reason. Anything else keeps it: a class or method that cannot be found, a
 * sink that is not on the line, a construct the analysis does not model, the time budget.
 */
public final class InjectionPruner {

    /** Patterns of untrusted data reaching an interpreter, a file name, a header or the page. */
    private static final List<String> INJECTION_PATTERNS = List.of("SQL_INJECTION", "SQL_NONCONSTANT_STRING_PASSED_TO_EXECUTE",
            "SQL_PREPARED_STATEMENT_GENERATED_FROM_NONCONSTANT_STRING", "COMMAND_INJECTION", "LDAP_INJECTION",
            "XPATH_INJECTION", "PATH_TRAVERSAL_IN", "PATH_TRAVERSAL_OUT", "PT_", "XSS_SERVLET", "XSS_REQUEST_PARAMETER",
            "TRUST_BOUNDARY_VIOLATION", "HTTP_RESPONSE_SPLITTING", "HRS_", "CRLF_INJECTION_LOGS", "SCRIPT_ENGINE_INJECTION",
            "EL_INJECTION", "SPEL_INJECTION", "OGNL_INJECTION", "FORMAT_STRING_MANIPULATION", "SMTP_HEADER_INJECTION",
            "HTTP_PARAMETER_POLLUTION", "TEMPLATE_INJECTION", "URLCONNECTION_SSRF_FD", "CUSTOM_INJECTION");

    /** The analysis' answer for one finding: prune (with why) or keep (with why not). */
    public record Verdict(boolean safe, String reason) {
        static Verdict keep(String reason) {
            return new Verdict(false, reason);
        }
    }

    /** The findings after the step, and how many it suppressed and in how long. */
    public record Outcome(List<Finding> findings, int examined, int suppressed, long millis) {
    }

    private final ClassRepository repository;
    private final SinkTable sinks;
    private final long budgetMillis;
    private final Analysis analysis;

    public InjectionPruner(ClassRepository repository, SinkTable sinks, long budgetMillis) {
        this.repository = repository;
        this.sinks = sinks;
        this.budgetMillis = budgetMillis;
        this.analysis = new Analysis(repository);
    }

    public static boolean isInjection(String ruleId) {
        return INJECTION_PATTERNS.stream().anyMatch(ruleId::startsWith);
    }

    /** Every finding with a site is examined; the safe ones come back suppressed. */
    public Outcome prune(List<Finding> findings, Map<String, BugSite> sites) {
        long started = System.nanoTime();
        List<Finding> out = new ArrayList<>(findings.size());
        int examined = 0;
        int suppressed = 0;
        for (Finding f : findings) {
            BugSite site = sites.get(f.fingerprint());
            if (f.suppressed() || site == null || !isInjection(f.ruleId())) {
                out.add(f);
                continue;
            }
            examined++;
            Verdict v = examine(site);
            if (v.safe()) {
                suppressed++;
                out.add(f.suppressedBecause(v.reason()));
            } else {
                out.add(f);
            }
        }
        return new Outcome(out, examined, suppressed, (System.nanoTime() - started) / 1_000_000);
    }

    public Verdict examine(BugSite site) {
        String owner = site.className().replace('.', '/');
        Optional<ClassNode> cls = repository.load(owner);
        if (cls.isEmpty()) {
            return Verdict.keep("the class " + site.className() + " is not among the analysed classes");
        }
        MethodNode method = cls.get().methods.stream()
                .filter(m -> m.name.equals(site.methodName()) && (site.signature() == null || m.desc.equals(site.signature())))
                .findFirst().orElse(null);
        if (method == null || method.instructions.size() == 0) {
            return Verdict.keep("the method " + site.methodName() + " has no code to analyse");
        }
        analysis.startBudget(budgetMillis);
        try {
            MethodFlow.Result result = new MethodFlow(analysis, owner, method, null).run();
            return judge(site, result);
        } catch (MethodFlow.Bailout e) {
            return Verdict.keep("analysis gave up: " + e.getMessage());
        } catch (RuntimeException e) {
            return Verdict.keep("analysis failed: " + e);
        }
    }

    private Verdict judge(BugSite site, MethodFlow.Result result) {
        String sinkName = null;
        String sinkDesc = null;
        if (site.sinkMethod() != null && !site.sinkMethod().isEmpty()) {
            int paren = site.sinkMethod().indexOf('(');
            int dot = paren < 0 ? -1 : site.sinkMethod().lastIndexOf('.', paren);
            if (dot < 0) {
                return Verdict.keep("the sink " + site.sinkMethod() + " is not a method");
            }
            sinkName = site.sinkMethod().substring(dot + 1, paren);
            sinkDesc = site.sinkMethod().substring(paren);
        }
        AbstractInsnNode[] insns = result.method().instructions.toArray();
        List<String> facts = new ArrayList<>();
        int matched = 0;
        for (int i = 0; i < insns.length; i++) {
            if (!(insns[i] instanceof MethodInsnNode call)) {
                continue;
            }
            int line = MethodFlow.line(call);
            boolean isSink = sinkName != null ? call.name.equals(sinkName) && call.desc.equals(sinkDesc)
                    : sinks.contains(call.name, call.desc);
            if (!isSink || line < site.startLine() || line > Math.max(site.startLine(), site.endLine())) {
                continue;
            }
            matched++;
            String where = simpleName(call.owner) + "." + call.name + " at line " + line;
            Frame<TaintValue> frame = result.frames()[i];
            if (frame == null) {
                facts.add("the call to " + where + " is unreachable");
                continue;
            }
            List<Integer> offsets = offsets(site, call);
            Type[] args = Type.getArgumentTypes(call.desc);
            TaintFrame f = (TaintFrame) frame;
            List<String> values = new ArrayList<>();
            for (int offset : offsets) {
                if (offset < 0 || offset >= args.length) {
                    return Verdict.keep("the sink parameter " + offset + " is not an argument of " + where);
                }
                TaintValue v = f.getStack(f.getStackSize() - 1 - offset);
                if (!f.clean(v)) {
                    return Verdict.keep("argument " + (args.length - offset) + " of " + where + " may be tainted");
                }
                values.add("argument " + (args.length - offset) + " is " + describe(f, v));
            }
            facts.add("at " + where + " " + String.join(", ", values));
        }
        if (matched == 0) {
            return Verdict.keep("no call to the sink was found on line " + site.startLine());
        }
        StringBuilder why = new StringBuilder("No untrusted data reaches the sink: ").append(String.join("; ", facts));
        List<String> decided = result.decided();
        if (!decided.isEmpty()) {
            why.append(" (").append(String.join("; ", decided.subList(0, Math.min(4, decided.size()))))
                    .append(decided.size() > 4 ? "; ..." : "").append(")");
        }
        return new Verdict(true, why.append('.').toString());
    }

    private List<Integer> offsets(BugSite site, MethodInsnNode call) {
        Type[] args = Type.getArgumentTypes(call.desc);
        boolean wide = false;
        for (Type t : args) {
            wide |= t.getSize() == 2;
        }
        List<Integer> listed = !site.sinkParameters().isEmpty() ? site.sinkParameters() : sinks.injectable(call.name, call.desc);
        if (!listed.isEmpty() && !wide) {
            return listed;
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            int sort = args[i].getSort();
            if (sort == Type.OBJECT || sort == Type.ARRAY) {
                all.add(args.length - 1 - i);
            }
        }
        return all;
    }

    private static String describe(TaintFrame f, TaintValue v) {
        if (v.kind == TaintValue.Kind.REFS) {
            return "one of several local containers, each holding only untainted values";
        }
        if (v.isRef()) {
            HeapObject h = f.object(v);
            if (h == null) {
                return "a local container";
            }
            TaintValue inner = h.kind == HeapObject.Kind.BUILDER ? h.content : h.joinedElements();
            return "a local " + h.kind.name().toLowerCase() + " holding " + (inner == null ? "nothing" : describe(f, inner));
        }
        return v.toString();
    }

    private static String simpleName(String internal) {
        return internal.substring(internal.lastIndexOf('/') + 1);
    }
}
