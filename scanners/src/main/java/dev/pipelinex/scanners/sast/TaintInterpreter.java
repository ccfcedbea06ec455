package dev.pipelinex.scanners.sast;

import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.Interpreter;

/**
 * The value-level half of the analysis: constants, folded arithmetic on constants, and taint for
 * everything read from outside (parameters, fields, unknown results). Heap and calls are the
 * frame's business ({@link TaintFrame}).
 */
final class TaintInterpreter extends Interpreter<TaintValue> {

    private final TaintValue[] parameters;

    /** {@code parameters} by local slot, null for an entry method whose parameters are all tainted. */
    TaintInterpreter(TaintValue[] parameters) {
        super(Opcodes.ASM9);
        this.parameters = parameters;
    }

    @Override
    public TaintValue newValue(Type type) {
        if (type == Type.VOID_TYPE) {
            return null;
        }
        return TaintValue.top(type == null ? 1 : type.getSize());
    }

    @Override
    public TaintValue newParameterValue(boolean isInstanceMethod, int local, Type type) {
        if (parameters != null && local < parameters.length && parameters[local] != null) {
            return parameters[local];
        }
        return newValue(type);
    }

    @Override
    public TaintValue newOperation(AbstractInsnNode insn) throws AnalyzerException {
        int op = insn.getOpcode();
        switch (op) {
            case Opcodes.ACONST_NULL:
                return TaintValue.constant(TaintValue.NULL);
            case Opcodes.ICONST_M1: case Opcodes.ICONST_0: case Opcodes.ICONST_1: case Opcodes.ICONST_2:
            case Opcodes.ICONST_3: case Opcodes.ICONST_4: case Opcodes.ICONST_5:
                return TaintValue.constant(op - Opcodes.ICONST_0);
            case Opcodes.LCONST_0: case Opcodes.LCONST_1:
                return TaintValue.constant((long) (op - Opcodes.LCONST_0));
            case Opcodes.FCONST_0: case Opcodes.FCONST_1: case Opcodes.FCONST_2:
                return TaintValue.constant((float) (op - Opcodes.FCONST_0));
            case Opcodes.DCONST_0: case Opcodes.DCONST_1:
                return TaintValue.constant((double) (op - Opcodes.DCONST_0));
            case Opcodes.BIPUSH: case Opcodes.SIPUSH:
                return TaintValue.constant(((IntInsnNode) insn).operand);
            case Opcodes.LDC: {
                Object c = ((LdcInsnNode) insn).cst;
                if (c instanceof String || c instanceof Integer || c instanceof Long || c instanceof Float
                        || c instanceof Double) {
                    return TaintValue.constant(c);
                }
                return TaintValue.clean(1);
            }
            case Opcodes.GETSTATIC: {
                FieldInsnNode f = (FieldInsnNode) insn;
                int size = Type.getType(f.desc).getSize();
                // The platform's own static fields (Locale.US, System.out) are not input.
                return platform(f.owner) ? TaintValue.clean(size) : TaintValue.top(size);
            }
            default:
                return TaintValue.TOP1;
        }
    }

    static boolean platform(String owner) {
        return owner.startsWith("java/") || owner.startsWith("javax/") || owner.startsWith("jakarta/");
    }

    @Override
    public TaintValue copyOperation(AbstractInsnNode insn, TaintValue value) {
        return value;
    }

    @Override
    public TaintValue unaryOperation(AbstractInsnNode insn, TaintValue value) throws AnalyzerException {
        int op = insn.getOpcode();
        switch (op) {
            case Opcodes.IFEQ: case Opcodes.IFNE: case Opcodes.IFLT: case Opcodes.IFGE: case Opcodes.IFGT:
            case Opcodes.IFLE: case Opcodes.TABLESWITCH: case Opcodes.LOOKUPSWITCH: case Opcodes.IRETURN:
            case Opcodes.LRETURN: case Opcodes.FRETURN: case Opcodes.DRETURN: case Opcodes.ARETURN:
            case Opcodes.PUTSTATIC: case Opcodes.ATHROW: case Opcodes.MONITORENTER: case Opcodes.MONITOREXIT:
            case Opcodes.IFNULL: case Opcodes.IFNONNULL:
                return null;
            case Opcodes.CHECKCAST:
                return value;
            case Opcodes.GETFIELD:
                return TaintValue.top(Type.getType(((FieldInsnNode) insn).desc).getSize());
            case Opcodes.INSTANCEOF:
                return value.kind == TaintValue.Kind.CONST ? TaintValue.constant(value.constant == TaintValue.NULL ? 0 : 1)
                        : TaintValue.clean(1);
            case Opcodes.NEWARRAY: case Opcodes.ANEWARRAY: case Opcodes.ARRAYLENGTH:
                return TaintValue.top(1);
            default:
                return Folding.unary(op, value, insn);
        }
    }

    @Override
    public TaintValue binaryOperation(AbstractInsnNode insn, TaintValue a, TaintValue b) throws AnalyzerException {
        int op = insn.getOpcode();
        if (op >= Opcodes.IF_ICMPEQ && op <= Opcodes.IF_ACMPNE || op == Opcodes.PUTFIELD) {
            return null;
        }
        if (op >= Opcodes.IALOAD && op <= Opcodes.SALOAD) {
            return TaintValue.top(op == Opcodes.LALOAD || op == Opcodes.DALOAD ? 2 : 1);
        }
        return Folding.binary(op, a, b);
    }

    @Override
    public TaintValue ternaryOperation(AbstractInsnNode insn, TaintValue a, TaintValue b, TaintValue c) {
        return null;
    }

    @Override
    public TaintValue naryOperation(AbstractInsnNode insn, List<? extends TaintValue> values) {
        // Calls are modelled by TaintFrame; what reaches here is MULTIANEWARRAY.
        return TaintValue.top(1);
    }

    @Override
    public void returnOperation(AbstractInsnNode insn, TaintValue value, TaintValue expected) {
    }

    @Override
    public TaintValue merge(TaintValue a, TaintValue b) {
        return TaintValue.join(a, b);
    }
}
