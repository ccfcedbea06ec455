package dev.pipelinex.scanners.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

/** Validates SARIF logs against the OASIS SARIF 2.1.0 JSON schema (test helper). */
public final class SarifSchema {

    private static JsonSchema schema;

    private SarifSchema() {
    }

    private static synchronized JsonSchema schema() {
        if (schema == null) {
            try (InputStream in = SarifSchema.class.getResourceAsStream("/schema/sarif-schema-2.1.0.json")) {
                if (in == null) {
                    throw new IllegalStateException("the SARIF 2.1.0 schema is not on the test classpath");
                }
                schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schema;
    }

    /** The schema violations of a SARIF log, empty when it is valid. */
    public static Set<String> violations(JsonNode log) {
        Set<ValidationMessage> messages = schema().validate(log);
        return messages.stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }

    public static Set<String> violations(Path file) {
        try {
            return violations(Reports.json().readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
