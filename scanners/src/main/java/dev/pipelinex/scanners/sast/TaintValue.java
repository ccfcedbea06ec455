package dev.pipelinex.scanners.sast;

import java.util.Objects;
import org.objectweb.asm.tree.analysis.Value;

/**
 * What the precision step knows of one stack or local slot: a constant, a value that is not a
 * constant but cannot carry taint ({@code CLEAN}), a value that may be tainted ({@code TOP}), a
 * container the method allocated itself ({@code REF}, its contents live in the frame's heap), or
 * an object of a known exact class the method created ({@code NEW_OBJECT}, its contents unknown).
 * Two containers met at a join are {@code REFS}: one of several, all of whose contents count.
 */
final class TaintValue implements Value {

    enum Kind { CONST, CLEAN, TOP, REF, REFS, NEW_OBJECT }

    /** The constant {@code null}. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    static final TaintValue TOP1 = new TaintValue(Kind.TOP, 1, null, -1, null);
    static final TaintValue TOP2 = new TaintValue(Kind.TOP, 2, null, -1, null);

    final Kind kind;
    final int size;
    final Object constant;
    final int site;
    final String type;

    private TaintValue(Kind kind, int size, Object constant, int site, String type) {
        this.kind = kind;
        this.size = size;
        this.constant = constant;
        this.site = site;
        this.type = type;
    }

    static TaintValue top(int size) {
        return size == 2 ? TOP2 : TOP1;
    }

    static TaintValue clean(int size) {
        return new TaintValue(Kind.CLEAN, size, null, -1, null);
    }

    /** A constant: String, Integer (also for char, boolean, byte, short), Long, Float, Double or {@link #NULL}. */
    static TaintValue constant(Object value) {
        int size = value instanceof Long || value instanceof Double ? 2 : 1;
        return new TaintValue(Kind.CONST, size, value, -1, null);
    }

    static TaintValue ref(int site) {
        return new TaintValue(Kind.REF, 1, null, site, null);
    }

    /** One of the containers whose sites are the bits of {@code mask}. */
    static TaintValue refs(long mask) {
        return Long.bitCount(mask) == 1 ? ref(Long.numberOfTrailingZeros(mask))
                : new TaintValue(Kind.REFS, 1, mask, -1, null);
    }

    /** The sites of the container(s) the value may be, as bits; 0 when it is no container. */
    long sites() {
        if (kind == Kind.REF) {
            return site < 64 ? 1L << site : 0;
        }
        return kind == Kind.REFS ? (Long) constant : 0;
    }

    /** A container or one of several. */
    boolean isAnyRef() {
        return kind == Kind.REF || kind == Kind.REFS;
    }

    static TaintValue newObject(String type) {
        return new TaintValue(Kind.NEW_OBJECT, 1, null, -1, type);
    }

    boolean isConstant() {
        return kind == Kind.CONST;
    }

    /** A scalar that cannot carry taint: a constant or a clean value. */
    boolean isUntainted() {
        return kind == Kind.CONST || kind == Kind.CLEAN;
    }

    boolean isRef() {
        return kind == Kind.REF;
    }

    /** The least value covering both. */
    static TaintValue join(TaintValue a, TaintValue b) {
        if (a == null) {
            return b;
        }
        if (b == null || a.equals(b)) {
            return a;
        }
        if (a.size != b.size) {
            return TOP1;
        }
        if (a.isUntainted() && b.isUntainted()) {
            return clean(a.size);
        }
        if (a.isAnyRef() && b.isAnyRef() && a.sites() != 0 && b.sites() != 0
                && (a.kind != Kind.REF || a.site < 64) && (b.kind != Kind.REF || b.site < 64)) {
            return refs(a.sites() | b.sites());
        }
        return top(a.size);
    }

    @Override
    public int getSize() {
        return size;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaintValue v && v.kind == kind && v.size == size && v.site == site
                && Objects.equals(v.constant, constant) && Objects.equals(v.type, type);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, size, constant, site, type);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CONST -> constant instanceof String s ? "\"" + abbreviate(s) + "\"" : String.valueOf(constant);
            case CLEAN -> "computed from constants only";
            case TOP -> "a possibly tainted value";
            case REF -> "a local container";
            case REFS -> "one of several local containers";
            case NEW_OBJECT -> "a new " + type.replace('/', '.');
        };
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
