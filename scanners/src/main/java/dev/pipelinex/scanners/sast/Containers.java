package dev.pipelinex.scanners.sast;

import java.util.Set;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * The models of local containers: {@code StringBuilder}/{@code StringBuffer} (their text), maps
 * with constant keys, lists with constant indexes, arrays. A call the model does not know lets
 * the container escape.
 */
final class Containers {

    private static final Set<String> BUILDERS = Set.of("java/lang/StringBuilder", "java/lang/StringBuffer");
    private static final Set<String> MAPS = Set.of("java/util/HashMap", "java/util/LinkedHashMap", "java/util/TreeMap",
            "java/util/Hashtable", "java/util/Map", "java/util/AbstractMap");
    private static final Set<String> LISTS = Set.of("java/util/ArrayList", "java/util/LinkedList", "java/util/Vector",
            "java/util/List", "java/util/Collection", "java/util/AbstractList");

    /** What a modelled call returns when it returns its receiver (builder chaining). */
    static final TaintValue SELF = TaintValue.newObject("(receiver)");

    private Containers() {
    }

    /** The model for objects of a class the method allocates, null when it has none. */
    static HeapObject.Kind kindOf(String type) {
        if (BUILDERS.contains(type)) {
            return HeapObject.Kind.BUILDER;
        }
        if (MAPS.contains(type) && !type.equals("java/util/Map") && !type.startsWith("java/util/Abstract")) {
            return HeapObject.Kind.MAP;
        }
        if (LISTS.contains(type) && !type.equals("java/util/List") && !type.equals("java/util/Collection")
                && !type.startsWith("java/util/Abstract")) {
            return HeapObject.Kind.LIST;
        }
        return null;
    }

    /** True when the call is to a method of one of the modelled container types. */
    static boolean models(MethodInsnNode m) {
        return BUILDERS.contains(m.owner) || MAPS.contains(m.owner) || LISTS.contains(m.owner)
                || m.owner.equals("java/lang/Object") || m.owner.equals("java/lang/AbstractStringBuilder")
                || m.owner.equals("java/lang/CharSequence");
    }

    static TaintValue arrayLoad(TaintFrame frame, HeapObject array, TaintValue index, int size) {
        if (array == null || array.escaped || array.kind != HeapObject.Kind.ARRAY) {
            return TaintValue.top(size);
        }
        TaintValue v = element(array, index);
        return v == null ? TaintValue.top(size) : v;
    }

    private static TaintValue element(HeapObject seq, TaintValue index) {
        if (seq.elements != null && index.isConstant() && index.constant instanceof Integer i) {
            return i >= 0 && i < seq.elements.size() ? seq.elements.get(i) : null;
        }
        return seq.joinedElements();
    }

    static void store(HeapObject seq, TaintValue index, TaintValue value) {
        if (seq.elements != null && index.isConstant() && index.constant instanceof Integer i
                && i >= 0 && i < seq.elements.size()) {
            seq.elements.set(i, value);
            return;
        }
        // Unknown index: any element may now be the value.
        seq.others = TaintValue.join(seq.joinedElements(), value);
        seq.elements = null;
    }

    /**
     * A call on a container the method owns; null when the call is not modelled (the caller lets
     * the container escape).
     */
    static TaintValue call(TaintFrame frame, HeapObject h, MethodInsnNode m, TaintValue[] args) {
        if (h.escaped) {
            return null;
        }
        for (TaintValue a : args) {
            if (a.isAnyRef()) {
                return null;
            }
        }
        return switch (h.kind) {
            case BUILDER -> builder(frame, h, m, args);
            case MAP -> map(h, m, args);
            case LIST -> list(h, m, args);
            case ARRAY -> null;
        };
    }

    private static TaintValue builder(TaintFrame frame, HeapObject h, MethodInsnNode m, TaintValue[] args) {
        Type[] types = Type.getArgumentTypes(m.desc);
        switch (m.name) {
            case "<init>":
                if (args.length == 1 && types[0].getSort() != Type.INT) {
                    h.content = Strings.stringOf(args[0], types[0]);
                }
                return TaintValue.top(1);
            case "append":
                if (args.length == 1) {
                    h.content = Strings.concat(h.content, Strings.stringOf(args[0], types[0]));
                    return SELF;
                }
                break;
            case "toString":
                return h.content;
            case "length":
                return h.content.isConstant() ? TaintValue.constant(((String) h.content.constant).length())
                        : TaintValue.join(h.content, TaintValue.clean(1)).isUntainted() ? TaintValue.clean(1) : TaintValue.top(1);
            default:
                break;
        }
        // Other edits (insert, replace, reverse, delete...): untainted in, untainted out.
        boolean clean = h.content.isUntainted();
        for (TaintValue a : args) {
            clean &= a.isUntainted();
        }
        Type ret = Type.getReturnType(m.desc);
        if (ret.getSort() == Type.OBJECT && BUILDERS.contains(ret.getInternalName())
                || ret.getInternalName().equals("java/lang/AbstractStringBuilder")) {
            h.content = clean ? TaintValue.clean(1) : TaintValue.top(1);
            return SELF;
        }
        if (ret == Type.VOID_TYPE) {
            h.content = clean ? TaintValue.clean(1) : TaintValue.top(1);
        }
        return clean ? TaintValue.clean(ret.getSize()) : TaintValue.top(Math.max(1, ret.getSize()));
    }

    private static TaintValue map(HeapObject h, MethodInsnNode m, TaintValue[] args) {
        switch (m.name + m.desc) {
            case "<init>()V":
                return TaintValue.top(1);
            case "put(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;": {
                if (!args[0].isUntainted()) {
                    // Keys are not tracked, so a map with a tainted key is no longer known.
                    return null;
                }
                TaintValue old = get(h, args[0]);
                if (args[0].isConstant()) {
                    h.entries.put(args[0].constant, args[1]);
                } else {
                    joinEverywhere(h, args[1]);
                }
                return old;
            }
            case "get(Ljava/lang/Object;)Ljava/lang/Object;":
                return get(h, args[0]);
            case "getOrDefault(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;":
                return TaintValue.join(get(h, args[0]), args[1]);
            case "remove(Ljava/lang/Object;)Ljava/lang/Object;": {
                TaintValue old = get(h, args[0]);
                if (args[0].isConstant()) {
                    h.entries.remove(args[0].constant);
                }
                return old;
            }
            case "containsKey(Ljava/lang/Object;)Z", "size()I", "isEmpty()Z":
                return TaintValue.clean(1);
            case "clear()V":
                h.entries.clear();
                h.others = null;
                return TaintValue.top(1);
            default:
                return null;
        }
    }

    private static TaintValue get(HeapObject h, TaintValue key) {
        TaintValue absent = TaintValue.constant(TaintValue.NULL);
        if (!key.isConstant()) {
            TaintValue all = h.joinedElements();
            return TaintValue.join(all == null ? absent : all, absent);
        }
        TaintValue v = h.entries.get(key.constant);
        if (v == null) {
            // Only a key that is not a string or number could collide with a constant one.
            v = absent;
        }
        return TaintValue.join(v, h.others);
    }

    private static void joinEverywhere(HeapObject h, TaintValue v) {
        h.entries.replaceAll((k, old) -> TaintValue.join(old, v));
        h.others = TaintValue.join(h.others, v);
    }

    private static TaintValue list(HeapObject h, MethodInsnNode m, TaintValue[] args) {
        switch (m.name + m.desc) {
            case "<init>()V", "<init>(I)V":
                return TaintValue.top(1);
            case "add(Ljava/lang/Object;)Z":
                if (h.elements != null) {
                    h.elements.add(args[0]);
                } else {
                    h.others = TaintValue.join(h.others, args[0]);
                }
                return TaintValue.constant(1);
            case "add(ILjava/lang/Object;)V":
                if (h.elements != null && args[0].isConstant() && args[0].constant instanceof Integer i
                        && i >= 0 && i <= h.elements.size()) {
                    h.elements.add(i, args[1]);
                } else {
                    h.others = TaintValue.join(h.joinedElements(), args[1]);
                    h.elements = null;
                }
                return TaintValue.top(1);
            case "get(I)Ljava/lang/Object;": {
                TaintValue v = element(h, args[0]);
                return v == null ? TaintValue.top(1) : v;
            }
            case "set(ILjava/lang/Object;)Ljava/lang/Object;": {
                TaintValue old = element(h, args[0]);
                store(h, args[0], args[1]);
                return old == null ? TaintValue.top(1) : old;
            }
            case "remove(I)Ljava/lang/Object;": {
                TaintValue old = element(h, args[0]);
                if (h.elements != null && args[0].isConstant() && args[0].constant instanceof Integer i
                        && i >= 0 && i < h.elements.size()) {
                    h.elements.remove((int) i);
                } else {
                    h.others = h.joinedElements();
                    h.elements = null;
                }
                return old == null ? TaintValue.top(1) : old;
            }
            case "size()I":
                return h.elements != null ? TaintValue.constant(h.elements.size()) : TaintValue.clean(1);
            case "isEmpty()Z":
                return h.elements != null ? TaintValue.constant(h.elements.isEmpty() ? 1 : 0) : TaintValue.clean(1);
            case "contains(Ljava/lang/Object;)Z", "indexOf(Ljava/lang/Object;)I":
                return TaintValue.clean(1);
            case "clear()V":
                h.elements = new java.util.ArrayList<>();
                h.others = null;
                return TaintValue.top(1);
            default:
                return null;
        }
    }
}
