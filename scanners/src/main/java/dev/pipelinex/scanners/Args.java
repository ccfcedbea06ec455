package dev.pipelinex.scanners;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Command-line options {@code --name value} (or {@code --flag}) and positional arguments. */
public final class Args {

    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    public static Args parse(List<String> argv) {
        Args args = new Args();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String value = "true";
                int eq = name.indexOf('=');
                if (eq > 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < argv.size() && !argv.get(i + 1).startsWith("--")) {
                    value = argv.get(++i);
                }
                args.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                args.positional.add(a);
            }
        }
        return args;
    }

    public Optional<String> option(String name) {
        List<String> values = options.get(name);
        return values == null ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }

    public List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    public String required(String name) {
        return option(name).orElseThrow(() -> new UsageException("option --" + name + " is required"));
    }

    public Path path(String name) {
        return Path.of(required(name));
    }

    public Optional<Path> optionalPath(String name) {
        return option(name).filter(s -> !s.isBlank()).map(Path::of);
    }

    public boolean flag(String name) {
        return option(name).map(v -> !v.equals("false")).orElse(false);
    }

    public long number(String name, long fallback) {
        return option(name).map(v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new UsageException("option --" + name + " must be a number, got \"" + v + "\"");
            }
        }).orElse(fallback);
    }

    /** The names of the options given. */
    public Set<String> names() {
        return Collections.unmodifiableSet(options.keySet());
    }

    public List<String> positional() {
        return positional;
    }

    /** A mistake in how the command was called: printed with the usage, exit code 2. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}
