package dev.pipelinex.scanners.maven;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints "groupId artifactId version" of every jar module whose dependency tree is in the file
 * (maven-dependency-plugin's tree goal, JSON, one document per module appended): the root node
 * of each document, whose fields come first in it.
 */
public class ReactorModules {

    private static final Pattern ROOT = Pattern.compile(
            "\\{\\s*\"groupId\"\\s*:\\s*\"([^\"]+)\"\\s*,\\s*\"artifactId\"\\s*:\\s*\"([^\"]+)\"\\s*,\\s*\"version\"\\s*:\\s*\"([^\"]+)\"\\s*,\\s*\"type\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String text = Files.readString(Path.of(args[0]));
        int depth = 0;
        int start = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                // skip strings, which may hold braces
                for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
                    if (text.charAt(i) == '\\') {
                        i++;
                    }
                }
            } else if (c == '{') {
                if (depth++ == 0) {
                    start = i;
                }
            } else if (c == '}' && --depth == 0) {
                Matcher m = ROOT.matcher(text.substring(start, Math.min(text.length(), start + 400)));
                if (m.lookingAt() && m.group(4).equals("jar")) {
                    System.out.println(m.group(1) + " " + m.group(2) + " " + m.group(3));
                }
            }
        }
    }
}
