package dev.pipelinex.scanners.sast;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * Constant propagation over one method with pruning of infeasible branches: the method is
 * analysed, every conditional jump whose operands are constants on all paths that reach it is
 * replaced by the branch it always takes, and the analysis runs again until no jump is left to
 * decide. Code only reachable through a pruned branch then has no frame.
 */
final class MethodFlow {

    /** The analysis gave up; the finding stays. */
    static final class Bailout extends RuntimeException {
        private final boolean outOfTime;

        Bailout(String reason) {
            this(reason, false);
        }

        Bailout(String reason, boolean outOfTime) {
            super(reason, null, false, false);
            this.outOfTime = outOfTime;
        }

        boolean outOfTime() {
            return outOfTime;
        }
    }

    /** The rewritten method, its frames (null where unreachable) and the branches that were decided. */
    record Result(MethodNode method, Frame<TaintValue>[] frames, List<String> decided, TaintValue returned) {
    }

    static final int MAX_INSTRUCTIONS = 8_000;
    private static final int MAX_ROUNDS = 12;

    private final Analysis analysis;
    private final String owner;
    private final MethodNode method;
    private final TaintValue[] parameters;
    private Map<AbstractInsnNode, Integer> sites = new HashMap<>();

    MethodFlow(Analysis analysis, String owner, MethodNode method, TaintValue[] parameters) {
        this.analysis = analysis;
        this.owner = owner;
        this.method = method;
        this.parameters = parameters;
    }

    void tick() {
        analysis.tick();
    }

    Calls calls() {
        return analysis.calls();
    }

    int site(AbstractInsnNode insn) {
        return sites.computeIfAbsent(insn, i -> sites.size());
    }

    Result run() {
        if (method.instructions.size() > MAX_INSTRUCTIONS) {
            throw new Bailout("the method is too large (" + method.instructions.size() + " instructions)");
        }
        MethodNode work = copy(method);
        List<String> decided = new ArrayList<>();
        for (int round = 0; ; round++) {
            Frame<TaintValue>[] frames = analyze(work);
            if (round == MAX_ROUNDS || !decide(work, frames, decided)) {
                return new Result(work, frames, decided, returned(work, frames));
            }
        }
    }

    private Frame<TaintValue>[] analyze(MethodNode work) {
        sites = new HashMap<>();
        MethodFlow flow = this;
        Analyzer<TaintValue> analyzer = new Analyzer<>(new TaintInterpreter(parameters)) {
            @Override
            protected Frame<TaintValue> newFrame(int numLocals, int numStack) {
                return new TaintFrame(flow, numLocals, numStack);
            }

            @Override
            protected Frame<TaintValue> newFrame(Frame<? extends TaintValue> frame) {
                return new TaintFrame(flow, frame);
            }
        };
        try {
            return analyzer.analyze(owner, work);
        } catch (AnalyzerException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Bailout b) {
                throw b;
            }
            throw new Bailout("the bytecode could not be analysed: " + e.getMessage());
        }
    }

    /** Rewrites every jump decided by constants; true when one was. */
    private static boolean decide(MethodNode work, Frame<TaintValue>[] frames, List<String> decided) {
        InsnList insns = work.instructions;
        AbstractInsnNode[] all = insns.toArray();
        boolean changed = false;
        for (int i = 0; i < all.length; i++) {
            Frame<TaintValue> f = frames[i];
            AbstractInsnNode insn = all[i];
            if (f == null) {
                continue;
            }
            int op = insn.getOpcode();
            int top = f.getStackSize() - 1;
            if (insn instanceof JumpInsnNode jump && op != Opcodes.GOTO && op != Opcodes.JSR) {
                boolean two = op >= Opcodes.IF_ICMPEQ && op <= Opcodes.IF_ACMPNE;
                TaintValue a = two ? f.getStack(top - 1) : f.getStack(top);
                TaintValue b = two ? f.getStack(top) : null;
                Boolean taken = Folding.condition(op, a, b);
                if (taken == null) {
                    continue;
                }
                int line = line(insn);
                insns.insertBefore(insn, new InsnNode(two ? Opcodes.POP2 : Opcodes.POP));
                if (taken) {
                    insns.set(insn, new JumpInsnNode(Opcodes.GOTO, jump.label));
                } else {
                    insns.remove(insn);
                }
                decided.add("the condition at line " + line + " is always " + taken);
                changed = true;
            } else if (insn instanceof TableSwitchInsnNode || insn instanceof LookupSwitchInsnNode) {
                TaintValue key = f.getStack(top);
                if (!key.isConstant() || !(key.constant instanceof Integer k)) {
                    continue;
                }
                LabelNode target = switchTarget(insn, k);
                int line = line(insn);
                insns.insertBefore(insn, new InsnNode(Opcodes.POP));
                insns.set(insn, new JumpInsnNode(Opcodes.GOTO, target));
                decided.add("the switch at line " + line + " always takes the case " + describeKey(k));
                changed = true;
            }
        }
        return changed;
    }

    private static String describeKey(int k) {
        return k >= 32 && k < 127 ? k + " ('" + (char) k + "')" : String.valueOf(k);
    }

    private static LabelNode switchTarget(AbstractInsnNode insn, int key) {
        if (insn instanceof TableSwitchInsnNode t) {
            return key >= t.min && key <= t.max ? t.labels.get(key - t.min) : t.dflt;
        }
        LookupSwitchInsnNode l = (LookupSwitchInsnNode) insn;
        int at = l.keys.indexOf(key);
        return at >= 0 ? l.labels.get(at) : l.dflt;
    }

    /** The join of the values the method returns on its reachable paths (null for none). */
    private static TaintValue returned(MethodNode work, Frame<TaintValue>[] frames) {
        AbstractInsnNode[] all = work.instructions.toArray();
        TaintValue joined = null;
        for (int i = 0; i < all.length; i++) {
            int op = all[i].getOpcode();
            if (frames[i] == null || op < Opcodes.IRETURN || op > Opcodes.ARETURN) {
                continue;
            }
            TaintFrame f = (TaintFrame) frames[i];
            TaintValue v = f.getStack(f.getStackSize() - 1);
            if (v.isAnyRef() || v.kind == TaintValue.Kind.NEW_OBJECT) {
                v = v.isAnyRef() && f.clean(v) ? TaintValue.clean(1) : TaintValue.TOP1;
            }
            joined = joined == null ? v : TaintValue.join(joined, v);
        }
        return joined;
    }

    /** The source line of an instruction, 0 when the class has no line numbers. */
    static int line(AbstractInsnNode insn) {
        for (AbstractInsnNode n = insn; n != null; n = n.getPrevious()) {
            if (n instanceof LineNumberNode l) {
                return l.line;
            }
        }
        return 0;
    }

    private static MethodNode copy(MethodNode m) {
        MethodNode c = new MethodNode(Opcodes.ASM9, m.access, m.name, m.desc, m.signature,
                m.exceptions == null ? null : m.exceptions.toArray(new String[0]));
        m.accept(c);
        return c;
    }
}
