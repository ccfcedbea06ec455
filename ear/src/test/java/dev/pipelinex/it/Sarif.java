package dev.pipelinex.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** SARIF checks for the tests: the OASIS 2.1.0 schema, and the results of a log. */
final class Sarif {

    private static JsonSchema schema;

    private Sarif() {
    }

    static synchronized Set<String> violations(JsonNode log) {
        if (schema == null) {
            try (InputStream in = Sarif.class.getResourceAsStream("/schema/sarif-schema-2.1.0.json")) {
                schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schema.validate(log).stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }

    /** The open (not suppressed) results of the first run. */
    static List<JsonNode> openResults(JsonNode log) {
        List<JsonNode> open = new ArrayList<>();
        for (JsonNode r : log.at("/runs/0/results")) {
            if (r.path("suppressions").isEmpty()) {
                open.add(r);
            }
        }
        return open;
    }

    static String uri(JsonNode result) {
        return result.at("/locations/0/physicalLocation/artifactLocation/uri").asText();
    }

    static int line(JsonNode result) {
        return result.at("/locations/0/physicalLocation/region/startLine").asInt();
    }
}
