package dev.pipelinex.scanners.sast;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.IincInsnNode;

/** Arithmetic, conversions and comparisons of constants, as the JVM computes them. */
final class Folding {

    private Folding() {
    }

    static int resultSize(int op) {
        return switch (op) {
            case Opcodes.LADD, Opcodes.LSUB, Opcodes.LMUL, Opcodes.LDIV, Opcodes.LREM, Opcodes.LSHL, Opcodes.LSHR,
                 Opcodes.LUSHR, Opcodes.LAND, Opcodes.LOR, Opcodes.LXOR, Opcodes.DADD, Opcodes.DSUB, Opcodes.DMUL,
                 Opcodes.DDIV, Opcodes.DREM, Opcodes.LNEG, Opcodes.DNEG, Opcodes.I2L, Opcodes.I2D, Opcodes.L2D,
                 Opcodes.F2L, Opcodes.F2D, Opcodes.D2L -> 2;
            default -> 1;
        };
    }

    /** Untainted in, untainted out; folded when the operand is a constant. */
    static TaintValue unary(int op, TaintValue v, AbstractInsnNode insn) {
        int size = resultSize(op);
        if (!v.isUntainted()) {
            return TaintValue.top(size);
        }
        if (!v.isConstant() || !(v.constant instanceof Number n)) {
            return TaintValue.clean(size);
        }
        Object r = switch (op) {
            case Opcodes.INEG -> -n.intValue();
            case Opcodes.LNEG -> -n.longValue();
            case Opcodes.FNEG -> -n.floatValue();
            case Opcodes.DNEG -> -n.doubleValue();
            case Opcodes.IINC -> n.intValue() + ((IincInsnNode) insn).incr;
            case Opcodes.I2L, Opcodes.F2L, Opcodes.D2L -> n.longValue();
            case Opcodes.I2F, Opcodes.L2F, Opcodes.D2F -> n.floatValue();
            case Opcodes.I2D, Opcodes.L2D, Opcodes.F2D -> n.doubleValue();
            case Opcodes.L2I, Opcodes.F2I, Opcodes.D2I -> n.intValue();
            case Opcodes.I2B -> (int) (byte) n.intValue();
            case Opcodes.I2C -> (int) (char) n.intValue();
            case Opcodes.I2S -> (int) (short) n.intValue();
            default -> null;
        };
        return r == null ? TaintValue.clean(size) : TaintValue.constant(r);
    }

    static TaintValue binary(int op, TaintValue a, TaintValue b) {
        int size = op == Opcodes.LCMP || op >= Opcodes.FCMPL && op <= Opcodes.DCMPG ? 1 : resultSize(op);
        if (!a.isUntainted() || !b.isUntainted()) {
            return TaintValue.top(size);
        }
        if (!a.isConstant() || !b.isConstant() || !(a.constant instanceof Number x) || !(b.constant instanceof Number y)) {
            return TaintValue.clean(size);
        }
        try {
            Object r = switch (op) {
                case Opcodes.IADD -> x.intValue() + y.intValue();
                case Opcodes.ISUB -> x.intValue() - y.intValue();
                case Opcodes.IMUL -> x.intValue() * y.intValue();
                case Opcodes.IDIV -> x.intValue() / y.intValue();
                case Opcodes.IREM -> x.intValue() % y.intValue();
                case Opcodes.ISHL -> x.intValue() << y.intValue();
                case Opcodes.ISHR -> x.intValue() >> y.intValue();
                case Opcodes.IUSHR -> x.intValue() >>> y.intValue();
                case Opcodes.IAND -> x.intValue() & y.intValue();
                case Opcodes.IOR -> x.intValue() | y.intValue();
                case Opcodes.IXOR -> x.intValue() ^ y.intValue();
                case Opcodes.LADD -> x.longValue() + y.longValue();
                case Opcodes.LSUB -> x.longValue() - y.longValue();
                case Opcodes.LMUL -> x.longValue() * y.longValue();
                case Opcodes.LDIV -> x.longValue() / y.longValue();
                case Opcodes.LREM -> x.longValue() % y.longValue();
                case Opcodes.LSHL -> x.longValue() << y.intValue();
                case Opcodes.LSHR -> x.longValue() >> y.intValue();
                case Opcodes.LUSHR -> x.longValue() >>> y.intValue();
                case Opcodes.LAND -> x.longValue() & y.longValue();
                case Opcodes.LOR -> x.longValue() | y.longValue();
                case Opcodes.LXOR -> x.longValue() ^ y.longValue();
                case Opcodes.LCMP -> Long.compare(x.longValue(), y.longValue());
                case Opcodes.DADD -> x.doubleValue() + y.doubleValue();
                case Opcodes.DSUB -> x.doubleValue() - y.doubleValue();
                case Opcodes.DMUL -> x.doubleValue() * y.doubleValue();
                case Opcodes.DDIV -> x.doubleValue() / y.doubleValue();
                case Opcodes.FADD -> x.floatValue() + y.floatValue();
                case Opcodes.FSUB -> x.floatValue() - y.floatValue();
                case Opcodes.FMUL -> x.floatValue() * y.floatValue();
                case Opcodes.FDIV -> x.floatValue() / y.floatValue();
                default -> null;
            };
            return r == null ? TaintValue.clean(size) : TaintValue.constant(r);
        } catch (ArithmeticException e) {
            return TaintValue.clean(size);
        }
    }

    /**
     * The outcome of a conditional jump on constant operands: TRUE (jumps), FALSE (falls
     * through) or null when not known.
     */
    static Boolean condition(int op, TaintValue a, TaintValue b) {
        if (op == Opcodes.IFNULL || op == Opcodes.IFNONNULL) {
            Boolean isNull = a.isConstant() ? Boolean.valueOf(a.constant == TaintValue.NULL)
                    : a.isAnyRef() || a.kind == TaintValue.Kind.NEW_OBJECT ? Boolean.FALSE : null;
            return isNull == null ? null : op == Opcodes.IFNULL ? isNull : !isNull;
        }
        if (!a.isConstant() || !(a.constant instanceof Integer x)) {
            return null;
        }
        if (op >= Opcodes.IFEQ && op <= Opcodes.IFLE) {
            return compare(op - Opcodes.IFEQ, x, 0);
        }
        if (op >= Opcodes.IF_ICMPEQ && op <= Opcodes.IF_ICMPLE && b != null && b.isConstant() && b.constant instanceof Integer y) {
            // a is the first operand pushed.
            return compare(op - Opcodes.IF_ICMPEQ, x, y);
        }
        return null;
    }

    private static boolean compare(int rel, int x, int y) {
        return switch (rel) {
            case 0 -> x == y;
            case 1 -> x != y;
            case 2 -> x < y;
            case 3 -> x >= y;
            case 4 -> x > y;
            default -> x <= y;
        };
    }
}
