package dev.pipelinex.scanners.sca;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The CVSS v3.x base score of a vector such as {@code CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H},
 * by the CVSS v3.1 specification's base-score formula (v3.0 vectors are scored the same way).
 * Temporal and environmental metrics in the vector are ignored.
 */
public final class Cvss {

    private Cvss() {
    }

    public static OptionalDouble baseScore(String vector) {
        if (vector == null) {
            return OptionalDouble.empty();
        }
        String[] parts = vector.trim().split("/");
        if (parts.length < 9 || !parts[0].matches("CVSS:3\\.[01]")) {
            return OptionalDouble.empty();
        }
        Map<String, String> m = new HashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split(":", 2);
            if (kv.length != 2 || m.putIfAbsent(kv[0], kv[1]) != null) {
                return OptionalDouble.empty();
            }
        }
        try {
            boolean changed = switch (m.get("S")) {
                case "U" -> false;
                case "C" -> true;
                default -> throw new IllegalArgumentException();
            };
            double av = weight(m.get("AV"), "N", 0.85, "A", 0.62, "L", 0.55, "P", 0.2);
            double ac = weight(m.get("AC"), "L", 0.77, "H", 0.44);
            double pr = changed ? weight(m.get("PR"), "N", 0.85, "L", 0.68, "H", 0.5)
                    : weight(m.get("PR"), "N", 0.85, "L", 0.62, "H", 0.27);
            double ui = weight(m.get("UI"), "N", 0.85, "R", 0.62);
            double c = weight(m.get("C"), "H", 0.56, "L", 0.22, "N", 0);
            double in = weight(m.get("I"), "H", 0.56, "L", 0.22, "N", 0);
            double a = weight(m.get("A"), "H", 0.56, "L", 0.22, "N", 0);

            double iss = 1 - (1 - c) * (1 - in) * (1 - a);
            double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
            double exploitability = 8.22 * av * ac * pr * ui;
            if (impact <= 0) {
                return OptionalDouble.of(0.0);
            }
            double base = changed ? roundUp(Math.min(1.08 * (impact + exploitability), 10))
                    : roundUp(Math.min(impact + exploitability, 10));
            return OptionalDouble.of(base);
        } catch (IllegalArgumentException | NullPointerException e) {
            return OptionalDouble.empty();
        }
    }

    private static double weight(String value, Object... table) {
        for (int i = 0; i < table.length; i += 2) {
            if (table[i].equals(value)) {
                return ((Number) table[i + 1]).doubleValue();
            }
        }
        throw new IllegalArgumentException("unknown metric value " + value);
    }

    /** CVSS v3.1 Roundup: the smallest number with one decimal that is at least the input. */
    static double roundUp(double value) {
        long scaled = Math.round(value * 100_000);
        if (scaled % 10_000 == 0) {
            return scaled / 100_000.0;
        }
        return BigDecimal.valueOf(Math.floorDiv(scaled, 10_000) + 1).movePointLeft(1).doubleValue();
    }
}
