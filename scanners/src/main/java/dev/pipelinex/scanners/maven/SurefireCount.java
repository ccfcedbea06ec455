package dev.pipelinex.scanners.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Counts test cases in every Surefire report under a project: prints "passed failed skipped".
 * It counts {@code <testcase>} elements, because the {@code <testsuite tests=…>} attributes are
 * wrong for JUnit 5 {@code @Nested} classes. A test case with {@code <failure>} or
 * {@code <error>} failed; with {@code <skipped>} it was skipped; a flaky test that passed on a
 * rerun passed.
 */
public class SurefireCount {

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setExpandEntityReferences(false);
        DocumentBuilder parser = f.newDocumentBuilder();
        parser.setErrorHandler(null);
        long passed = 0, failed = 0, skipped = 0;
        for (Path report : reports(root)) {
            NodeList cases;
            try {
                cases = parser.parse(report.toFile()).getElementsByTagName("testcase");
            } catch (Exception e) {
                System.err.println("unreadable Surefire report " + root.relativize(report) + ": " + e.getMessage());
                continue;
            }
            for (int i = 0; i < cases.getLength(); i++) {
                Element c = (Element) cases.item(i);
                if (hasChild(c, "failure") || hasChild(c, "error")) {
                    failed++;
                } else if (hasChild(c, "skipped")) {
                    skipped++;
                } else {
                    passed++;
                }
            }
        }
        System.out.println(passed + " " + failed + " " + skipped);
    }

    static List<Path> reports(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.getFileName().toString().startsWith("TEST-")
                            && p.getFileName().toString().endsWith(".xml")
                            && p.getParent() != null
                            && p.getParent().getFileName().toString().equals("surefire-reports"))
                    .sorted().toList();
        }
    }

    static boolean hasChild(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE && n.getNodeName().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
