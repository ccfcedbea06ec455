package dev.pipelinex.scanners.sast;

import java.util.Map;
import java.util.TreeMap;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.Frame;
import org.objectweb.asm.tree.analysis.Interpreter;

/**
 * A frame that also carries the heap of containers the method allocated, so that a value put in
 * a local map, list, array or string builder can be read back. Calls go to {@link Calls}.
 */
final class TaintFrame extends Frame<TaintValue> {

    final Map<Integer, HeapObject> heap = new TreeMap<>();
    private final MethodFlow flow;

    TaintFrame(MethodFlow flow, int numLocals, int maxStack) {
        super(numLocals, maxStack);
        this.flow = flow;
    }

    TaintFrame(MethodFlow flow, Frame<? extends TaintValue> frame) {
        super(frame.getLocals(), frame.getMaxStackSize());
        this.flow = flow;
        init(frame);
    }

    @Override
    public Frame<TaintValue> init(Frame<? extends TaintValue> frame) {
        super.init(frame);
        heap.clear();
        ((TaintFrame) frame).heap.forEach((k, v) -> heap.put(k, v.copy()));
        return this;
    }

    HeapObject object(TaintValue v) {
        return v != null && v.isRef() ? heap.get(v.site) : null;
    }

    /** Lets go of a container: unknown code may now read or change it. */
    void escape(TaintValue v) {
        if (v != null && v.kind == TaintValue.Kind.REFS) {
            forEachSite(v.sites(), s -> escape(TaintValue.ref(s)));
            return;
        }
        HeapObject h = object(v);
        if (h != null && !h.escaped) {
            h.escaped = true;
            for (TaintValue inner : new TaintValue[] {h.content, h.joinedElements()}) {
                escape(inner);
            }
        }
    }

    /** True when nothing tainted can come out of the value, its containers' contents included. */
    boolean clean(TaintValue v) {
        return clean(v, 0);
    }

    private boolean clean(TaintValue v, int depth) {
        if (v == null) {
            return true;
        }
        if (v.isUntainted()) {
            return true;
        }
        if (v.kind == TaintValue.Kind.REFS) {
            boolean all = true;
            long mask = v.sites();
            while (mask != 0 && all) {
                int s = Long.numberOfTrailingZeros(mask);
                mask &= mask - 1;
                all = clean(TaintValue.ref(s), depth);
            }
            return all;
        }
        HeapObject h = object(v);
        if (h == null || h.escaped || depth > 4) {
            return false;
        }
        if (h.kind == HeapObject.Kind.BUILDER) {
            return clean(h.content, depth + 1);
        }
        return clean(h.joinedElements(), depth + 1);
    }

    @Override
    public void execute(AbstractInsnNode insn, Interpreter<TaintValue> interpreter) throws AnalyzerException {
        flow.tick();
        int op = insn.getOpcode();
        switch (op) {
            case Opcodes.NEW -> push(allocate(insn, ((TypeInsnNode) insn).desc));
            case Opcodes.NEWARRAY, Opcodes.ANEWARRAY -> {
                TaintValue length = pop();
                HeapObject array = new HeapObject(HeapObject.Kind.ARRAY);
                if (length.isConstant() && length.constant instanceof Integer n && n >= 0 && n <= 256) {
                    TaintValue zero = TaintValue.constant(op == Opcodes.ANEWARRAY ? TaintValue.NULL : (Object) 0);
                    for (int i = 0; i < n; i++) {
                        array.elements.add(zero);
                    }
                } else {
                    array.elements = null;
                    array.others = TaintValue.constant(op == Opcodes.ANEWARRAY ? TaintValue.NULL : (Object) 0);
                }
                push(place(insn, array));
            }
            case Opcodes.ARRAYLENGTH -> {
                HeapObject array = object(pop());
                push(array != null && !array.escaped && array.elements != null
                        ? TaintValue.constant(array.elements.size()) : TaintValue.clean(1));
            }
            case Opcodes.IALOAD, Opcodes.LALOAD, Opcodes.FALOAD, Opcodes.DALOAD, Opcodes.AALOAD, Opcodes.BALOAD,
                 Opcodes.CALOAD, Opcodes.SALOAD -> {
                TaintValue index = pop();
                TaintValue ref = pop();
                int size = op == Opcodes.LALOAD || op == Opcodes.DALOAD ? 2 : 1;
                push(Containers.arrayLoad(this, object(ref), index, size));
            }
            case Opcodes.IASTORE, Opcodes.LASTORE, Opcodes.FASTORE, Opcodes.DASTORE, Opcodes.AASTORE, Opcodes.BASTORE,
                 Opcodes.CASTORE, Opcodes.SASTORE -> {
                TaintValue value = pop();
                TaintValue index = pop();
                TaintValue ref = pop();
                HeapObject array = object(ref);
                if (array == null || value.isAnyRef()) {
                    escape(value);
                    escape(ref);
                } else {
                    Containers.store(array, index, value);
                }
            }
            case Opcodes.PUTFIELD, Opcodes.PUTSTATIC -> {
                escape(getStack(getStackSize() - 1));
                super.execute(insn, interpreter);
            }
            case Opcodes.INVOKEVIRTUAL, Opcodes.INVOKESPECIAL, Opcodes.INVOKESTATIC, Opcodes.INVOKEINTERFACE -> {
                MethodInsnNode m = (MethodInsnNode) insn;
                Type[] argTypes = Type.getArgumentTypes(m.desc);
                TaintValue[] args = new TaintValue[argTypes.length];
                for (int i = args.length - 1; i >= 0; i--) {
                    args[i] = pop();
                }
                TaintValue receiver = op == Opcodes.INVOKESTATIC ? null : pop();
                TaintValue result = flow.calls().invoke(this, m, receiver, args);
                if (Type.getReturnType(m.desc) != Type.VOID_TYPE) {
                    push(result);
                }
            }
            case Opcodes.INVOKEDYNAMIC -> {
                InvokeDynamicInsnNode d = (InvokeDynamicInsnNode) insn;
                TaintValue[] args = new TaintValue[Type.getArgumentTypes(d.desc).length];
                for (int i = args.length - 1; i >= 0; i--) {
                    args[i] = pop();
                }
                TaintValue result = Calls.invokeDynamic(this, d, args);
                if (Type.getReturnType(d.desc) != Type.VOID_TYPE) {
                    push(result);
                }
            }
            case Opcodes.JSR, Opcodes.RET -> throw new MethodFlow.Bailout("subroutines (jsr/ret) are not analysed");
            default -> super.execute(insn, interpreter);
        }
    }

    private static void forEachSite(long mask, java.util.function.IntConsumer action) {
        while (mask != 0) {
            action.accept(Long.numberOfTrailingZeros(mask));
            mask &= mask - 1;
        }
    }

    private TaintValue allocate(AbstractInsnNode insn, String type) {
        HeapObject.Kind kind = Containers.kindOf(type);
        if (kind == null) {
            return TaintValue.newObject(type);
        }
        HeapObject h = new HeapObject(kind);
        if (kind == HeapObject.Kind.BUILDER) {
            h.content = TaintValue.constant("");
        }
        return place(insn, h);
    }

    private TaintValue place(AbstractInsnNode insn, HeapObject h) {
        int site = flow.site(insn);
        if (heap.containsKey(site)) {
            // Allocated again (a loop): the earlier object and this one share a name.
            escape(TaintValue.ref(site));
            return TaintValue.top(1);
        }
        heap.put(site, h);
        return TaintValue.ref(site);
    }

    @Override
    public boolean merge(Frame<? extends TaintValue> frame, Interpreter<TaintValue> interpreter) throws AnalyzerException {
        int locals = getLocals();
        int stack = getStackSize();
        TaintValue[] before = new TaintValue[locals + stack];
        for (int i = 0; i < locals; i++) {
            before[i] = getLocal(i);
        }
        for (int i = 0; i < stack; i++) {
            before[locals + i] = getStack(i);
        }
        boolean changed = super.merge(frame, interpreter);
        TaintFrame other = (TaintFrame) frame;
        Map<Integer, HeapObject> joined = new TreeMap<>();
        for (Map.Entry<Integer, HeapObject> e : heap.entrySet()) {
            HeapObject o = other.heap.get(e.getKey());
            joined.put(e.getKey(), o == null ? e.getValue() : e.getValue().join(o));
        }
        other.heap.forEach((k, v) -> joined.putIfAbsent(k, v.copy()));
        for (int i = 0; i < locals + stack; i++) {
            TaintValue after = i < locals ? getLocal(i) : getStack(i - locals);
            TaintValue theirs = i < locals ? other.getLocal(i) : other.getStack(i - locals);
            long kept = after == null ? 0 : after.sites();
            for (TaintValue v : new TaintValue[] {before[i], theirs}) {
                long lost = v == null ? 0 : v.sites() & ~kept;
                forEachSite(lost, s -> {
                    if (joined.containsKey(s)) {
                        joined.get(s).escaped = true;
                    }
                });
                if (v != null && v.isRef() && v.site >= 64 && !v.equals(after) && joined.containsKey(v.site)) {
                    joined.get(v.site).escaped = true;
                }
            }
        }
        if (!joined.equals(heap)) {
            heap.clear();
            heap.putAll(joined);
            changed = true;
        }
        return changed;
    }
}
