package dev.pipelinex.scanners.sast;

import org.objectweb.asm.Handle;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * What a call returns: the container models, the pure platform classes, a summary of the
 * application's own method, or, for anything else, a possibly tainted value (and every local
 * container handed over escapes).
 */
final class Calls {

    private final Summaries summaries;

    Calls(Summaries summaries) {
        this.summaries = summaries;
    }

    TaintValue invoke(TaintFrame frame, MethodInsnNode m, TaintValue receiver, TaintValue[] args) {
        Type ret = Type.getReturnType(m.desc);
        int size = Math.max(1, ret.getSize());
        HeapObject h = frame.object(receiver);
        if (h != null) {
            TaintValue r = Containers.models(m) ? Containers.call(frame, h, m, args) : null;
            if (r == Containers.SELF) {
                return receiver;
            }
            if (r != null) {
                return r;
            }
            escapeAll(frame, receiver, args);
            return TaintValue.top(size);
        }
        if (Strings.models(m)) {
            return Strings.call(frame, m, receiver, args);
        }
        TaintValue summary = summaries.call(frame, m, receiver, args);
        escapeAll(frame, receiver, args);
        return summary != null ? summary : TaintValue.top(size);
    }

    private static void escapeAll(TaintFrame frame, TaintValue receiver, TaintValue[] args) {
        frame.escape(receiver);
        for (TaintValue a : args) {
            frame.escape(a);
        }
    }

    /** String concatenation through {@code StringConcatFactory}; any other dynamic call is unknown. */
    static TaintValue invokeDynamic(TaintFrame frame, InvokeDynamicInsnNode d, TaintValue[] args) {
        Handle bsm = d.bsm;
        Type ret = Type.getReturnType(d.desc);
        if (bsm.getOwner().equals("java/lang/invoke/StringConcatFactory")) {
            Type[] types = Type.getArgumentTypes(d.desc);
            if (bsm.getName().equals("makeConcatWithConstants") && d.bsmArgs.length >= 1 && d.bsmArgs[0] instanceof String recipe) {
                TaintValue text = TaintValue.constant("");
                int arg = 0;
                int constant = 1;
                for (char c : recipe.toCharArray()) {
                    if (c == '\u0001') {
                        text = Strings.concat(text, Strings.stringOf(args[arg], types[arg]));
                        arg++;
                    } else if (c == '\u0002') {
                        text = Strings.concat(text, TaintValue.constant(String.valueOf(d.bsmArgs[constant++])));
                    } else {
                        text = Strings.concat(text, TaintValue.constant(String.valueOf(c)));
                    }
                }
                return text;
            }
            boolean clean = true;
            for (TaintValue a : args) {
                clean &= a.isUntainted();
            }
            return clean ? TaintValue.clean(1) : TaintValue.top(1);
        }
        for (TaintValue a : args) {
            frame.escape(a);
        }
        return TaintValue.top(Math.max(1, ret.getSize()));
    }
}
