package dev.pipelinex.scanners.sast;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * Calls to the platform's pure value classes ({@code String}, the boxes, {@code Math}): computed
 * when every input is a constant (so {@code "ABC".charAt(2)} is {@code 'C'}), untainted when every
 * input is untainted, possibly tainted otherwise.
 */
final class Strings {

    private static final Set<String> PURE = Set.of("java/lang/String", "java/lang/Integer", "java/lang/Long",
            "java/lang/Short", "java/lang/Byte", "java/lang/Character", "java/lang/Boolean", "java/lang/Double",
            "java/lang/Float", "java/lang/Math", "java/lang/StrictMath");
    /** Methods folded by calling them; all deterministic and without side effects. */
    private static final Set<String> FOLDED = Set.of("charAt", "length", "substring", "concat", "replace",
            "toUpperCase", "toLowerCase", "trim", "strip", "indexOf", "lastIndexOf", "equals", "equalsIgnoreCase",
            "startsWith", "endsWith", "contains", "isEmpty", "valueOf", "toString", "parseInt", "parseLong",
            "compareTo", "hashCode", "intValue", "longValue", "booleanValue", "charValue", "max", "min", "abs");

    private Strings() {
    }

    static boolean models(MethodInsnNode m) {
        return PURE.contains(m.owner) && !m.name.equals("getInteger") && !m.name.equals("getLong")
                && !m.name.equals("getBoolean");
    }

    /** The call's result; inputs that are local containers count as their contents. */
    static TaintValue call(TaintFrame frame, MethodInsnNode m, TaintValue receiver, TaintValue[] args) {
        Type ret = Type.getReturnType(m.desc);
        int size = Math.max(1, ret.getSize());
        boolean clean = receiver == null || frame.clean(receiver);
        boolean constant = receiver == null || receiver.isConstant() && receiver.constant != TaintValue.NULL;
        for (TaintValue a : args) {
            clean &= frame.clean(a);
            constant &= a.isConstant() && a.constant != TaintValue.NULL;
        }
        if (!clean) {
            return TaintValue.top(size);
        }
        if (constant && FOLDED.contains(m.name)) {
            TaintValue folded = fold(m, receiver, args);
            if (folded != null) {
                return folded;
            }
        }
        return TaintValue.clean(size);
    }

    private static TaintValue fold(MethodInsnNode m, TaintValue receiver, TaintValue[] args) {
        try {
            Class<?> owner = Class.forName(m.owner.replace('/', '.'));
            Type[] types = Type.getArgumentTypes(m.desc);
            Class<?>[] params = new Class<?>[types.length];
            Object[] values = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                params[i] = classOf(types[i]);
                values[i] = javaValue(args[i].constant, types[i]);
                if (params[i] == null || values[i] == null) {
                    return null;
                }
            }
            Method method = owner.getMethod(m.name, params);
            if (Modifier.isStatic(method.getModifiers()) != (receiver == null)) {
                return null;
            }
            Object result = method.invoke(receiver == null ? null : javaValue(receiver.constant, Type.getObjectType(m.owner)), values);
            return result == null ? null : constantOf(result);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // An exception at run time (index out of range): no folding, the value stays clean.
            return null;
        }
    }

    private static Class<?> classOf(Type t) {
        return switch (t.getSort()) {
            case Type.INT -> int.class;
            case Type.CHAR -> char.class;
            case Type.BOOLEAN -> boolean.class;
            case Type.LONG -> long.class;
            case Type.DOUBLE -> double.class;
            case Type.FLOAT -> float.class;
            case Type.OBJECT -> switch (t.getInternalName()) {
                case "java/lang/String" -> String.class;
                case "java/lang/Object" -> Object.class;
                case "java/lang/CharSequence" -> CharSequence.class;
                default -> null;
            };
            default -> null;
        };
    }

    private static Object javaValue(Object c, Type t) {
        return switch (t.getSort()) {
            case Type.CHAR -> c instanceof Integer i ? (char) (int) i : null;
            case Type.BOOLEAN -> c instanceof Integer i ? i != 0 : null;
            case Type.INT -> c instanceof Integer ? c : null;
            case Type.LONG -> c instanceof Long ? c : null;
            case Type.DOUBLE -> c instanceof Double ? c : null;
            case Type.FLOAT -> c instanceof Float ? c : null;
            default -> c instanceof String || c instanceof Integer && t.getInternalName().equals("java/lang/Integer") ? c : null;
        };
    }

    private static TaintValue constantOf(Object r) {
        if (r instanceof Character c) {
            return TaintValue.constant((int) c);
        }
        if (r instanceof Boolean b) {
            return TaintValue.constant(b ? 1 : 0);
        }
        if (r instanceof Short || r instanceof Byte) {
            return TaintValue.constant(((Number) r).intValue());
        }
        if (r instanceof String || r instanceof Integer || r instanceof Long || r instanceof Double || r instanceof Float) {
            return TaintValue.constant(r);
        }
        return null;
    }

    /** The text {@code String.valueOf} would give for a value of the given static type. */
    static TaintValue stringOf(TaintValue v, Type type) {
        if (!v.isConstant()) {
            return v.isUntainted() ? TaintValue.clean(1) : TaintValue.top(1);
        }
        Object c = v.constant;
        if (c == TaintValue.NULL) {
            return TaintValue.constant("null");
        }
        return switch (type.getSort()) {
            case Type.CHAR -> TaintValue.constant(String.valueOf((char) (int) (Integer) c));
            case Type.BOOLEAN -> TaintValue.constant(String.valueOf((Integer) c != 0));
            case Type.OBJECT -> c instanceof String || type.getInternalName().equals("java/lang/Object")
                    ? TaintValue.constant(String.valueOf(c)) : TaintValue.clean(1);
            default -> TaintValue.constant(String.valueOf(c));
        };
    }

    static TaintValue concat(TaintValue a, TaintValue b) {
        if (a.isConstant() && b.isConstant() && a.constant instanceof String x && b.constant instanceof String y) {
            return TaintValue.constant(x + y);
        }
        return a.isUntainted() && b.isUntainted() ? TaintValue.clean(1) : TaintValue.top(1);
    }
}
