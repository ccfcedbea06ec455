package dev.pipelinex.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipelinex.job.JobFiles;
import java.util.List;
import jakarta.ws.rs.core.Response;

/** Builds RFC 9457 {@code application/problem+json} responses with a stable type per kind. */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_PREFIX = "urn:pipelinex:problem:";

    private Problems() {
    }

    static Response problem(int status, String slug, String title, String detail, List<String> reasons) {
        ObjectNode body = JobFiles.json().createObjectNode();
        body.put("type", TYPE_PREFIX + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (!reasons.isEmpty()) {
            ArrayNode list = body.putArray("reasons");
            reasons.forEach(list::add);
        }
        return Response.status(status).type(MEDIA_TYPE).entity(body.toString()).build();
    }
}
