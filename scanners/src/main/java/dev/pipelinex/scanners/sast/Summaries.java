package dev.pipelinex.scanners.sast;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * What the application's own methods return given what they receive: the callee is analysed
 * with the caller's argument values (constants and untainted values kept, anything else
 * tainted), and its summary is the join of the values it can return. Only calls whose target
 * is certain are followed: static and special calls, private or final methods, and calls on an
 * object the caller created with {@code new}. Summaries are cached.
 */
final class Summaries {

    static final int MAX_DEPTH = 4;

    private final Analysis analysis;
    private final Map<String, TaintValue> cache = new HashMap<>();
    private final Set<String> running = new HashSet<>();

    Summaries(Analysis analysis) {
        this.analysis = analysis;
    }

    /** The callee's return value, or null when the call is not the application's or cannot be followed. */
    TaintValue call(TaintFrame frame, MethodInsnNode m, TaintValue receiver, TaintValue[] args) {
        Type ret = Type.getReturnType(m.desc);
        if (ret == Type.VOID_TYPE || m.name.startsWith("<")) {
            return null;
        }
        Optional<ClassRepository.Declared> target = resolve(m, receiver);
        if (target.isEmpty()) {
            return null;
        }
        var method = target.get().method();
        if ((method.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || method.instructions.size() == 0) {
            return null;
        }
        boolean isStatic = (method.access & Opcodes.ACC_STATIC) != 0;
        TaintValue[] params = new TaintValue[method.maxLocals];
        int local = 0;
        if (!isStatic) {
            params[local++] = TaintValue.TOP1;
        }
        Type[] types = Type.getArgumentTypes(m.desc);
        StringBuilder key = new StringBuilder(target.get().owner().name).append('.').append(m.name).append(m.desc);
        for (int i = 0; i < args.length; i++) {
            TaintValue v = args[i].isUntainted() ? args[i] : TaintValue.top(types[i].getSize());
            if (local < params.length) {
                params[local] = v;
            }
            local += types[i].getSize();
            key.append('|').append(v.kind).append(':').append(v.constant);
        }
        String k = key.toString();
        if (cache.containsKey(k)) {
            return cache.get(k);
        }
        if (running.contains(k) || running.size() >= MAX_DEPTH) {
            return null;
        }
        running.add(k);
        try {
            MethodFlow flow = new MethodFlow(analysis, target.get().owner().name, method, params);
            MethodFlow.Result result = flow.run();
            TaintValue returned = result.returned();
            TaintValue summary = returned == null ? TaintValue.top(Math.max(1, ret.getSize())) : returned;
            cache.put(k, summary);
            return summary;
        } catch (MethodFlow.Bailout e) {
            if (e.outOfTime()) {
                throw e;
            }
            cache.put(k, null);
            return null;
        } finally {
            running.remove(k);
        }
    }

    private Optional<ClassRepository.Declared> resolve(MethodInsnNode m, TaintValue receiver) {
        ClassRepository repo = analysis.repository();
        switch (m.getOpcode()) {
            case Opcodes.INVOKESTATIC, Opcodes.INVOKESPECIAL:
                return repo.find(m.owner, m.name, m.desc);
            default:
                if (receiver != null && receiver.kind == TaintValue.Kind.NEW_OBJECT) {
                    return repo.find(receiver.type, m.name, m.desc);
                }
                Optional<ClassRepository.Declared> d = repo.find(m.owner, m.name, m.desc);
                if (d.isPresent() && ((d.get().method().access & (Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL)) != 0
                        || (d.get().owner().access & Opcodes.ACC_FINAL) != 0 && d.get().owner().name.equals(m.owner))) {
                    return d;
                }
                return Optional.empty();
        }
    }
}
