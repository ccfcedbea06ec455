package dev.pipelinex.scanners.sast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.scanners.report.Finding;
import dev.pipelinex.scanners.report.Severity;
import dev.pipelinex.scanners.sast.samples.Queries;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The precision step on the compiled samples ({@link Queries}): every safe form is suppressed
 * with a reason, every unsafe form and every bail-out stays reported. Findings are built as
 * SpotBugs would report them: the method, the line of the sink call, the sink and its argument.
 */
class InjectionPrunerTest {

    private static final String SINK = "java/sql/Statement.executeQuery(Ljava/lang/String;)Ljava/sql/ResultSet;";

    private static Path testClasses() {
        try {
            return Path.of(Queries.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InjectionPruner pruner(long budgetMillis) {
        return new InjectionPruner(new ClassRepository(List.of(testClasses())), SinkTable.empty(), budgetMillis);
    }

    /** The finding SpotBugs would give for the sink call in the sample method. */
    static BugSite site(String method) throws IOException {
        ClassNode cls = new ClassNode();
        try (InputStream in = Queries.class.getResourceAsStream("Queries.class")) {
            new ClassReader(in).accept(cls, 0);
        }
        for (MethodNode m : cls.methods) {
            if (!m.name.equals(method)) {
                continue;
            }
            for (AbstractInsnNode insn : m.instructions) {
                if (insn instanceof MethodInsnNode call && call.name.equals("executeQuery")) {
                    int line = MethodFlow.line(call);
                    return new BugSite(Queries.class.getName(), method, m.desc, line, line, SINK, List.of(0));
                }
            }
        }
        throw new IllegalArgumentException("no sink in " + method);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ifSafe", "ternarySafe", "switchSafe", "stringSwitchSafe", "mapSafe", "listSafe",
            "arraySafe", "branchArraysSafe", "builderSafe", "helperSafe", "staticHelperSafe", "longSafe"})
    void safeFormsAreProvenSafe(String method) throws IOException {
        InjectionPruner.Verdict v = pruner(5_000).examine(site(method));
        assertTrue(v.safe(), method + ": " + v.reason());
        assertTrue(v.reason().startsWith("No untrusted data reaches the sink: at Statement.executeQuery at line "), v.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ifUnsafe", "ternaryUnsafe", "switchUnsafe", "mapUnsafe", "mapKeyUnsafe", "listUnsafe", "arrayUnsafe",
            "branchArraysUnsafe", "builderUnsafe", "helperUnsafe", "staticHelperUnsafe"})
    void unsafeFormsStayReported(String method) throws IOException {
        InjectionPruner.Verdict v = pruner(5_000).examine(site(method));
        assertFalse(v.safe(), method + ": " + v.reason());
        assertTrue(v.reason().contains("may be tainted"), v.reason());
    }

    @Test
    void theReasonNamesTheDecidedBranchAndTheValue() throws IOException {
        String reason = pruner(5_000).examine(site("ifSafe")).reason();
        assertTrue(reason.contains("argument 1 is \"constant\""), reason);
        assertTrue(reason.matches(".*the condition at line \\d+ is always (true|false).*"), reason);
        String switchReason = pruner(5_000).examine(site("switchSafe")).reason();
        assertTrue(switchReason.contains("always takes the case 67 ('C')"), switchReason);
    }

    @Test
    void aContainerHandedToUnknownCodeKeepsTheFinding() throws IOException {
        assertFalse(pruner(5_000).examine(site("escapedList")).safe());
    }

    @Test
    void aFieldKeepsTheFinding() throws IOException {
        assertFalse(pruner(5_000).examine(site("fieldRead")).safe());
    }

    @Test
    void runningOutOfTimeKeepsTheFinding() throws IOException {
        InjectionPruner.Verdict v = pruner(0).examine(site("longSafe"));
        assertFalse(v.safe());
        assertTrue(v.reason().contains("time budget"), v.reason());
    }

    @Test
    void aSinkThatIsNotOnTheLineKeepsTheFinding() throws IOException {
        BugSite s = site("ifSafe");
        BugSite elsewhere = new BugSite(s.className(), s.methodName(), s.signature(), s.startLine() - 3,
                s.startLine() - 3, SINK, List.of(0));
        InjectionPruner.Verdict v = pruner(5_000).examine(elsewhere);
        assertFalse(v.safe());
        assertTrue(v.reason().startsWith("no call to the sink"), v.reason());
        BugSite otherSink = new BugSite(s.className(), s.methodName(), s.signature(), s.startLine(), s.endLine(),
                "java/sql/Statement.execute(Ljava/lang/String;)Z", List.of(0));
        assertFalse(pruner(5_000).examine(otherSink).safe());
    }

    @Test
    void aClassOrMethodThatIsNotThereKeepsTheFinding() throws IOException {
        BugSite s = site("ifSafe");
        assertFalse(pruner(5_000).examine(new BugSite("com.example.Missing", "run", null, 3, 3, SINK, List.of(0))).safe());
        assertFalse(pruner(5_000).examine(new BugSite(s.className(), "missing", null, 3, 3, SINK, List.of(0))).safe());
    }

    @Test
    void withoutASinkNameTheSinkTableSaysWhichCallsAreSinks() throws IOException {
        BugSite s = site("ifSafe");
        BugSite core = new BugSite(s.className(), s.methodName(), s.signature(), s.startLine(), s.endLine(), null, List.of());
        assertFalse(pruner(5_000).examine(core).safe(), "no sink known: kept");
        SinkTable table = SinkTable.empty();
        table.add(SINK + ":0");
        InjectionPruner withTable = new InjectionPruner(new ClassRepository(List.of(testClasses())), table, 5_000);
        assertTrue(withTable.examine(core).safe());
    }

    @Test
    void prunedFindingsComeBackSuppressedAndOthersUnchanged() throws IOException {
        Finding safe = new Finding("SQL_INJECTION_JDBC", Severity.HIGH, "m", "Queries.java", 1, 1, "f1", null, Map.of());
        Finding unsafe = new Finding("SQL_INJECTION_JDBC", Severity.HIGH, "m", "Queries.java", 2, 2, "f2", null, Map.of());
        Finding crypto = new Finding("DES_USAGE", Severity.MEDIUM, "m", "Queries.java", 3, 3, "f3", null, Map.of());
        InjectionPruner.Outcome out = pruner(5_000).prune(List.of(safe, unsafe, crypto),
                Map.of("f1", site("mapSafe"), "f2", site("mapUnsafe"), "f3", site("listSafe")));
        assertEquals(2, out.examined());
        assertEquals(1, out.suppressed());
        assertTrue(out.findings().get(0).suppressed());
        assertFalse(out.findings().get(1).suppressed());
        assertFalse(out.findings().get(2).suppressed(), "not an injection pattern");
    }
}
