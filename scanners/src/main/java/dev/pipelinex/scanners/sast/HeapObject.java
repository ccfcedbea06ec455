package dev.pipelinex.scanners.sast;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A container the analysed method allocated and has not let go of: a string builder (its text),
 * a map (values under constant keys, plus what may sit under other keys), a list or an array
 * (its elements in order, or only the join of everything stored once the order is lost). Once it
 * escapes (passed to unknown code, stored in a field, merged with another reference) nothing is
 * known of it any more.
 */
final class HeapObject {

    enum Kind { BUILDER, MAP, LIST, ARRAY }

    final Kind kind;
    boolean escaped;
    /** BUILDER: the text so far. */
    TaintValue content;
    /** MAP: values under constant keys. */
    final Map<Object, TaintValue> entries = new LinkedHashMap<>();
    /** MAP: what may be stored under keys that are not known; LIST/ARRAY: the join of every element once {@code elements} is null. */
    TaintValue others;
    /** LIST/ARRAY: the elements in order, null when the order or length is not known. */
    List<TaintValue> elements = new ArrayList<>();

    HeapObject(Kind kind) {
        this.kind = kind;
    }

    HeapObject copy() {
        HeapObject c = new HeapObject(kind);
        c.escaped = escaped;
        c.content = content;
        c.entries.putAll(entries);
        c.others = others;
        c.elements = elements == null ? null : new ArrayList<>(elements);
        return c;
    }

    /** The object as either path may have left it. */
    HeapObject join(HeapObject o) {
        HeapObject j = copy();
        if (o.kind != kind || o.escaped) {
            j.escaped = true;
            return j;
        }
        j.content = TaintValue.join(content, o.content);
        for (Map.Entry<Object, TaintValue> e : o.entries.entrySet()) {
            TaintValue mine = entries.get(e.getKey());
            // A key present on one path only may be absent (null) on the other.
            j.entries.put(e.getKey(), mine == null ? TaintValue.join(e.getValue(), TaintValue.constant(TaintValue.NULL))
                    : TaintValue.join(mine, e.getValue()));
        }
        for (Map.Entry<Object, TaintValue> e : entries.entrySet()) {
            if (!o.entries.containsKey(e.getKey())) {
                j.entries.put(e.getKey(), TaintValue.join(e.getValue(), TaintValue.constant(TaintValue.NULL)));
            }
        }
        j.others = TaintValue.join(others, o.others);
        if (elements == null || o.elements == null || elements.size() != o.elements.size()) {
            j.forgetOrder(o);
        } else {
            for (int i = 0; i < elements.size(); i++) {
                j.elements.set(i, TaintValue.join(elements.get(i), o.elements.get(i)));
            }
        }
        return j;
    }

    private void forgetOrder(HeapObject o) {
        TaintValue all = others;
        for (HeapObject h : new HeapObject[] {this, o}) {
            all = TaintValue.join(all, h.others);
            if (h.elements != null) {
                for (TaintValue v : h.elements) {
                    all = TaintValue.join(all, v);
                }
            }
        }
        elements = null;
        others = all;
    }

    /** Every element as one value (lists, arrays and maps); null when there is none. */
    TaintValue joinedElements() {
        TaintValue all = others;
        if (elements != null) {
            for (TaintValue v : elements) {
                all = TaintValue.join(all, v);
            }
        }
        for (TaintValue v : entries.values()) {
            all = TaintValue.join(all, v);
        }
        return all;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeapObject h && h.kind == kind && h.escaped == escaped && Objects.equals(h.content, content)
                && h.entries.equals(entries) && Objects.equals(h.others, others) && Objects.equals(h.elements, elements);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, escaped, content, entries, others, elements);
    }
}
