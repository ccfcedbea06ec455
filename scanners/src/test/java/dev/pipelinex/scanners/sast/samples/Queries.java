package dev.pipelinex.scanners.sast.samples;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Analysed, never run: each pattern in a safe form (no tainted value can reach the query) and an
 * unsafe form (the parameter {@code param} reaches it). {@code param} stands for request input.
 */
@SuppressWarnings("all")
public class Queries {

    public void ifSafe(Statement st, String param) throws SQLException {
        String bar;
        int num = 106;
        if ((7 * 42) - num > 200) {
            bar = param;
        } else {
            bar = "constant";
        }
        st.executeQuery(bar);
    }

    public void ifUnsafe(Statement st, String param) throws SQLException {
        String bar;
        int num = 106;
        if ((7 * 18) + num > 200) {
            bar = param;
        } else {
            bar = "constant";
        }
        st.executeQuery(bar);
    }

    public void ternarySafe(Statement st, String param) throws SQLException {
        int num = 196;
        String bar = (500 / 42) + num > 200 ? "constant" : param;
        st.executeQuery("SELECT * FROM t WHERE a='" + bar + "'");
    }

    public void ternaryUnsafe(Statement st, String param) throws SQLException {
        int num = 106;
        String bar = (7 * 42) - num > 200 ? "constant" : param;
        st.executeQuery("SELECT * FROM t WHERE a='" + bar + "'");
    }

    public void switchSafe(Statement st, String param) throws SQLException {
        String guess = "ABC";
        char target = guess.charAt(2);
        String bar;
        switch (target) {
            case 'A':
                bar = param;
                break;
            case 'C':
                bar = "bob";
                break;
            default:
                bar = param;
                break;
        }
        st.executeQuery(bar);
    }

    public void switchUnsafe(Statement st, String param) throws SQLException {
        String guess = "ABC";
        char target = guess.charAt(0);
        String bar;
        switch (target) {
            case 'A':
                bar = param;
                break;
            case 'C':
                bar = "bob";
                break;
            default:
                bar = "default";
                break;
        }
        st.executeQuery(bar);
    }

    public void stringSwitchSafe(Statement st, String param) throws SQLException {
        String mode = "read";
        String bar;
        switch (mode) {
            case "write":
                bar = param;
                break;
            default:
                bar = "SELECT 1";
        }
        st.executeQuery(bar);
    }

    public void mapSafe(Statement st, String param) throws SQLException {
        Map<String, Object> map = new HashMap<>();
        map.put("keyA", "a-value");
        map.put("keyB", param);
        map.put("keyC", "another-value");
        String bar = (String) map.get("keyA");
        st.executeQuery(bar);
    }

    public void mapUnsafe(Statement st, String param) throws SQLException {
        Map<String, Object> map = new HashMap<>();
        map.put("keyA", "a-value");
        map.put("keyB", param);
        String bar = (String) map.get("keyB");
        st.executeQuery(bar);
    }

    public void mapKeyUnsafe(Statement st, String param) throws SQLException {
        Map<String, Object> map = new HashMap<>();
        map.put(param, "a-value");
        st.executeQuery(String.valueOf(map));
    }

    public void listSafe(Statement st, String param) throws SQLException {
        List<String> values = new ArrayList<>();
        values.add("safe");
        values.add(param);
        values.add("moresafe");
        values.remove(0);
        String bar = values.get(1);
        st.executeQuery(bar);
    }

    public void listUnsafe(Statement st, String param) throws SQLException {
        List<String> values = new ArrayList<>();
        values.add("safe");
        values.add(param);
        values.add("moresafe");
        values.remove(0);
        String bar = values.get(0);
        st.executeQuery(bar);
    }

    public void arraySafe(Statement st, String param) throws SQLException {
        Object[] parts = {"a", "b", param};
        parts[2] = "c";
        st.executeQuery(String.format("SELECT %s, %s, %s", parts));
    }

    public void arrayUnsafe(Statement st, String param) throws SQLException {
        Object[] parts = {"a", "b", "c"};
        parts[1] = param;
        st.executeQuery(String.format("SELECT %s, %s, %s", parts));
    }

    public void branchArraysSafe(Statement st, String param) throws SQLException {
        Object[] parts;
        if (param.isEmpty()) {
            parts = new Object[] {"a"};
        } else {
            parts = new Object[] {"b"};
        }
        st.executeQuery(String.format("SELECT %s", parts));
    }

    public void branchArraysUnsafe(Statement st, String param) throws SQLException {
        Object[] parts;
        if (param.isEmpty()) {
            parts = new Object[] {"a"};
        } else {
            parts = new Object[] {param};
        }
        st.executeQuery(String.format("SELECT %s", parts));
    }

    public void builderSafe(Statement st, String param) throws SQLException {
        StringBuilder sb = new StringBuilder("SELECT ");
        sb.append("a").append(',').append(42);
        st.executeQuery(sb.toString());
    }

    public void builderUnsafe(Statement st, String param) throws SQLException {
        StringBuilder sb = new StringBuilder("SELECT ");
        sb.append(param);
        st.executeQuery(sb.toString());
    }

    public void helperSafe(Statement st, String param) throws SQLException {
        String bar = new Helper().pick(param);
        st.executeQuery(bar);
    }

    public void helperUnsafe(Statement st, String param) throws SQLException {
        String bar = new Helper().echo(param);
        st.executeQuery(bar);
    }

    public void staticHelperSafe(Statement st, String param) throws SQLException {
        st.executeQuery(Helper.quoted(constant(param)));
    }

    public void staticHelperUnsafe(Statement st, String param) throws SQLException {
        st.executeQuery(Helper.quoted(param));
    }

    private static String constant(String ignored) {
        return "fixed";
    }

    /** Bail-out: the list is handed to code the analysis does not know, so its contents are unknown. */
    public void escapedList(Statement st, String param) throws SQLException {
        List<String> values = new ArrayList<>();
        values.add("safe");
        values.add(param);
        Collections.reverse(values);
        st.executeQuery(values.get(1));
    }

    /** Bail-out: a field may hold anything. */
    private String field = "x";

    public void fieldRead(Statement st, String param) throws SQLException {
        st.executeQuery(field);
    }

    /** Safe, but long enough to run out of a zero time budget. */
    public void longSafe(Statement st, String param) throws SQLException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            sb.append("a").append("b").append("c").append("d").append("e").append("f").append("g").append("h");
            sb.append("a").append("b").append("c").append("d").append("e").append("f").append("g").append("h");
            sb.append("a").append("b").append("c").append("d").append("e").append("f").append("g").append("h");
            sb.append("a").append("b").append("c").append("d").append("e").append("f").append("g").append("h");
            sb.append("a").append("b").append("c").append("d").append("e").append("f").append("g").append("h");
            sb.append("a").append("b").append("c").append("d").append("e").append("f").append("g").append("h");
        }
        st.executeQuery(sb.toString());
    }

    /** An application helper: what it returns depends on a branch decided by constants. */
    public static class Helper {

        public String pick(String param) {
            String bar = param;
            int num = 86;
            if ((7 * 42) - num > 200) {
                bar = "This should always happen";
            }
            return bar;
        }

        public String echo(String param) {
            return "[" + param + "]";
        }

        public static String quoted(String value) {
            return "'" + value + "'";
        }
    }
}
