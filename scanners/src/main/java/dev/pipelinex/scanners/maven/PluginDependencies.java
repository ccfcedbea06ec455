package dev.pipelinex.scanners.maven;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Dependencies a POM adds to a build plugin ({@code <plugin><dependencies>}) are resolved by
 * Maven only when the plugin runs, so an offline build would miss them. Reads the effective POM
 * (maven-help-plugin's effective-pom, one project or a {@code <projects>} list) and, for each
 * build plugin with added dependencies of which one is in none of the given repositories, writes
 * a small project that depends on the plugin and on those dependencies (runtime scope, as Maven
 * gives them to a plugin), with the project's plugin repositories. Resolving that project
 * fetches what the plugin will need; no plugin of the project runs.
 *
 * <pre>java PluginDependencies.java EFFECTIVE_POM OUT_DIR REPOSITORY...</pre>
 *
 * Writes OUT_DIR/pom.xml (an aggregator) and OUT_DIR/p1..pN/pom.xml, and prints N (0: nothing
 * is missing). Dependencies on the reactor's own modules are left out: the build makes them.
 * OUT_DIR/added.txt lists every added dependency, missing or not, as dependency:list writes
 * them ({@code group:artifact:type[:classifier]:version:runtime}).
 */
public class PluginDependencies {

    private static final String POM_NS = "http://maven.apache.org/POM/4.0.0";

    public static void main(String[] args) throws Exception {
        Path effective = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<Path> repositories = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            repositories.add(Path.of(args[i]));
        }
        Document doc = parser().parse(effective.toFile());
        List<Element> projects = new ArrayList<>();
        Element root = doc.getDocumentElement();
        if (root.getNodeName().equals("project")) {
            projects.add(root);
        } else {
            projects.addAll(children(root, "project"));
        }
        Set<String> reactor = new TreeSet<>();
        for (Element p : projects) {
            reactor.add(text(p, "groupId", parentGroup(p)) + ":" + text(p, "artifactId", ""));
        }
        // One project per distinct plugin with its added dependencies; the first repositories seen win.
        Map<String, Element> plugins = new LinkedHashMap<>();
        Map<String, Element> pluginRepositories = new LinkedHashMap<>();
        Set<String> everyAdded = new TreeSet<>();
        for (Element p : projects) {
            for (Element repo : children(child(p, "pluginRepositories"), "pluginRepository")) {
                pluginRepositories.putIfAbsent(text(repo, "id", repo.getTextContent()), repo);
            }
            for (Element plugin : children(child(child(p, "build"), "plugins"), "plugin")) {
                List<Element> added = new ArrayList<>();
                boolean missing = false;
                for (Element dep : children(child(plugin, "dependencies"), "dependency")) {
                    String ga = text(dep, "groupId", "") + ":" + text(dep, "artifactId", "");
                    if ("system".equals(text(dep, "scope", "")) || reactor.contains(ga)) {
                        continue;
                    }
                    added.add(dep);
                    String classifier = text(dep, "classifier", "");
                    everyAdded.add(ga + ":" + text(dep, "type", "jar") + (classifier.isEmpty() ? "" : ":" + classifier)
                            + ":" + text(dep, "version", "") + ":runtime");
                    missing |= !present(dep, repositories);
                }
                if (!added.isEmpty() && missing) {
                    StringBuilder key = new StringBuilder(coordinates(plugin));
                    added.forEach(d -> key.append(' ').append(coordinates(d)));
                    plugins.putIfAbsent(key.toString(), plugin);
                }
            }
        }
        Files.createDirectories(out);
        List<String> modules = new ArrayList<>();
        int n = 0;
        for (Element plugin : plugins.values()) {
            String module = "p" + (++n);
            modules.add(module);
            Path dir = Files.createDirectories(out.resolve(module));
            write(pluginProject(plugin, module, reactor, pluginRepositories.values()), dir.resolve("pom.xml"));
        }
        write(aggregator(modules), out.resolve("pom.xml"));
        Files.write(out.resolve("added.txt"), everyAdded);
        System.out.println(n);
    }

    private static DocumentBuilder parser() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        return f.newDocumentBuilder();
    }

    private static Document pluginProject(Element plugin, String module, Set<String> reactor,
                                          Iterable<Element> repositories) throws Exception {
        Document doc = parser().newDocument();
        Element project = header(doc, module, "jar");
        Element deps = add(doc, project, "dependencies", null);
        Element self = add(doc, deps, "dependency", null);
        add(doc, self, "groupId", text(plugin, "groupId", "org.apache.maven.plugins"));
        add(doc, self, "artifactId", text(plugin, "artifactId", ""));
        add(doc, self, "version", text(plugin, "version", ""));
        add(doc, self, "type", "maven-plugin");
        for (Element dep : children(child(plugin, "dependencies"), "dependency")) {
            String ga = text(dep, "groupId", "") + ":" + text(dep, "artifactId", "");
            if ("system".equals(text(dep, "scope", "")) || reactor.contains(ga)) {
                continue;
            }
            Element copy = add(doc, deps, "dependency", null);
            for (String field : List.of("groupId", "artifactId", "version", "type", "classifier")) {
                String value = text(dep, field, null);
                if (value != null) {
                    add(doc, copy, field, value);
                }
            }
            add(doc, copy, "scope", "runtime");
            Element exclusions = child(dep, "exclusions");
            if (exclusions != null) {
                Element ex = add(doc, copy, "exclusions", null);
                for (Element e : children(exclusions, "exclusion")) {
                    Element x = add(doc, ex, "exclusion", null);
                    add(doc, x, "groupId", text(e, "groupId", "*"));
                    add(doc, x, "artifactId", text(e, "artifactId", "*"));
                }
            }
        }
        Element repos = add(doc, project, "repositories", null);
        for (Element r : repositories) {
            String url = text(r, "url", null);
            if (url == null) {
                continue;
            }
            Element repo = add(doc, repos, "repository", null);
            add(doc, repo, "id", text(r, "id", "plugins"));
            add(doc, repo, "url", url);
        }
        return doc;
    }

    private static Document aggregator(List<String> modules) throws Exception {
        Document doc = parser().newDocument();
        Element project = header(doc, "plugin-dependencies", "pom");
        Element list = add(doc, project, "modules", null);
        for (String m : modules) {
            add(doc, list, "module", m);
        }
        return doc;
    }

    private static Element header(Document doc, String artifactId, String packaging) {
        Element project = doc.createElementNS(POM_NS, "project");
        doc.appendChild(project);
        add(doc, project, "modelVersion", "4.0.0");
        add(doc, project, "groupId", "pipelinex.resolve");
        add(doc, project, "artifactId", artifactId);
        add(doc, project, "version", "1");
        add(doc, project, "packaging", packaging);
        return project;
    }

    /** True when the dependency's file is in one of the repositories (Maven's default layout). */
    private static boolean present(Element dep, List<Path> repositories) {
        String type = text(dep, "type", "jar");
        String classifier = text(dep, "classifier", type.equals("test-jar") ? "tests" : "");
        String extension = type.equals("pom") ? "pom" : "jar";
        String a = text(dep, "artifactId", "");
        String v = text(dep, "version", "");
        String file = text(dep, "groupId", "").replace('.', '/') + "/" + a + "/" + v + "/" + a + "-" + v
                + (classifier.isEmpty() ? "" : "-" + classifier) + "." + extension;
        for (Path repo : repositories) {
            if (Files.isRegularFile(repo.resolve(file))) {
                return true;
            }
        }
        return false;
    }

    private static String coordinates(Element e) {
        return text(e, "groupId", "org.apache.maven.plugins") + ":" + text(e, "artifactId", "") + ":"
                + text(e, "type", "jar") + ":" + text(e, "classifier", "") + ":" + text(e, "version", "");
    }

    private static String parentGroup(Element project) {
        return text(child(project, "parent"), "groupId", "");
    }

    private static Element add(Document doc, Element parent, String name, String value) {
        Element e = doc.createElementNS(POM_NS, name);
        if (value != null) {
            e.setTextContent(value);
        }
        parent.appendChild(e);
        return e;
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getNodeName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getNodeName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element parent, String name, String otherwise) {
        Element e = child(parent, name);
        return e == null ? otherwise : e.getTextContent().trim();
    }

    private static void write(Document doc, Path file) throws Exception {
        Transformer t = TransformerFactory.newInstance().newTransformer();
        t.setOutputProperty(OutputKeys.INDENT, "yes");
        t.transform(new DOMSource(doc), new StreamResult(file.toFile()));
    }
}
