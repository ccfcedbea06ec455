package dev.pipelinex.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipelinex.access.Caller;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import dev.pipelinex.service.JobCancellation;
import dev.pipelinex.service.JobQueries;
import dev.pipelinex.service.JobSubmission;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityPart;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import dev.pipelinex.job.MetadataParser;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Submitting jobs and reading them back: the contract in docs/api.md. A job is seen only by the
 * account that submitted it and by viewers and admins; to anyone else it does not exist (404).
 */
@Path("/jobs")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {

    static final int MAX_PAGE = 100;

    @Inject
    private JobSubmission submission;

    @Inject
    private JobQueries queries;

    @Inject
    private JobCancellation cancellation;

    @Context
    private UriInfo uri;

    @Context
    private SecurityContext security;

    @POST
    @Path("upload")
    @CapacityChecked
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(List<EntityPart> parts) throws IOException {
        EntityPart zip = part(parts, "project_zip").orElseThrow(() -> malformed(
                "the multipart part 'project_zip' (the project as a ZIP file) is missing"));
        EntityPart metadata = part(parts, "metadata").orElseThrow(() -> malformed(
                "the multipart part 'metadata' (the job metadata as JSON text) is missing"));
        Caller caller = Callers.submitter(security);
        String json;
        try (InputStream in = metadata.getContent()) {
            json = utf8(in, "the multipart part 'metadata'", Refusal.INVALID_METADATA);
        }
        try (InputStream content = zip.getContent()) {
            return created(submission.submitUpload(content, zip.getFileName().orElse(null), json, caller.name()));
        }
    }

    @POST
    @Path("github")
    @CapacityChecked
    @Consumes(MediaType.APPLICATION_JSON)
    public Response github(InputStream body) throws IOException {
        Caller caller = Callers.submitter(security);
        return created(submission.submitGit(utf8(body, "the request body", Refusal.INVALID_METADATA), caller.name()));
    }

    /**
     * The text of a JSON part or body: strict UTF-8, at most {@link MetadataParser#MAX_METADATA_CHARS}
     * characters (read no further than four bytes a character allow).
     */
    static String utf8(InputStream in, String what, Refusal refusal) throws IOException {
        int maxBytes = 4 * MetadataParser.MAX_METADATA_CHARS;
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw new RequestRefusedException(refusal, what + " is longer than the limit of "
                    + MetadataParser.MAX_METADATA_CHARS + " characters");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new RequestRefusedException(refusal, what + " is not valid UTF-8 text; send the JSON as UTF-8");
        }
    }

    @GET
    public Response list(@QueryParam("offset") @DefaultValue("0") String offset,
                         @QueryParam("limit") @DefaultValue("20") String limit) {
        int from = number("offset", offset, 0, Integer.MAX_VALUE);
        int size = number("limit", limit, 1, MAX_PAGE);
        Caller caller = Callers.of(security);
        JobQueries.JobPage page = queries.list(from, size, caller::maySee);
        ObjectMapper json = JobFiles.json();
        ObjectNode body = json.createObjectNode();
        ArrayNode jobs = body.putArray("jobs");
        for (JobQueries.JobView v : page.jobs()) {
            ObjectNode j = jobs.addObject();
            j.put("job_id", v.metadata().jobId());
            j.put("created_at", v.metadata().createdAt().toString());
            j.put("stack_id", v.metadata().stackId());
            j.put("submitted_by", v.metadata().submittedBy());
            j.set("source", json.valueToTree(v.metadata().source()));
            j.put("state", v.status() == null ? null : v.status().state().name());
            j.put("error", v.status() == null ? null : v.status().error());
            j.put("href", "/api/jobs/" + v.metadata().jobId());
        }
        body.put("total", page.total());
        body.put("offset", page.offset());
        body.put("limit", page.limit());
        return Response.ok(write(body)).build();
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return Response.ok(write(document(visible(id)))).build();
    }

    /**
     * Cancels a QUEUED or RUNNING job: 202 with the job, now CANCELLED; 409 when it has ended. Its
     * submitter and admins may; a viewer gets 403, another submitter 404.
     */
    @POST
    @Path("{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        Caller caller = Callers.of(security);
        JobQueries.JobView job = visible(id);
        if (!caller.mayCancel(job.metadata())) {
            throw new RequestRefusedException(Refusal.FORBIDDEN, "account '" + caller.name() + "' may read job " + id
                    + " but not cancel it: only the account that submitted it, or an admin, may");
        }
        return Response.accepted(write(document(cancellation.cancel(id)))).type(MediaType.APPLICATION_JSON).build();
    }

    private static ObjectNode document(JobQueries.JobView v) {
        ObjectNode body = JobFiles.json().createObjectNode();
        body.put("job_id", v.metadata().jobId());
        body.set("metadata", JobFiles.json().valueToTree(v.metadata()));
        body.set("state", JobFiles.json().valueToTree(v.status()));
        return body;
    }

    @GET
    @Path("{id}/reports")
    public Response reports(@PathParam("id") String id) {
        ObjectNode body = JobFiles.json().createObjectNode();
        body.put("job_id", visible(id).metadata().jobId());
        body.set("stages", JobFiles.json().valueToTree(queries.results(id)));
        return Response.ok(write(body)).build();
    }

    @GET
    @Path("{id}/reports/{stage}/log")
    @Produces(MediaType.TEXT_PLAIN + ";charset=utf-8")
    public Response log(@PathParam("id") String id, @PathParam("stage") String stage) {
        visible(id);
        return Response.ok(queries.log(id, stage).toFile()).type(MediaType.TEXT_PLAIN + ";charset=utf-8").build();
    }

    /** SARIF 2.1.0 of a scanner stage (sast, sca, secrets). */
    @GET
    @Path("{id}/reports/{stage}/sarif")
    @Produces("application/sarif+json")
    public Response sarif(@PathParam("id") String id, @PathParam("stage") String stage) {
        visible(id);
        return Response.ok(queries.sarif(id, stage).toFile()).type("application/sarif+json").build();
    }

    /** The CycloneDX SBOM of the project's resolved dependency graph. */
    @GET
    @Path("{id}/reports/sca/sbom")
    @Produces("application/vnd.cyclonedx+json")
    public Response sbom(@PathParam("id") String id) {
        visible(id);
        return Response.ok(queries.sbom(id).toFile()).type("application/vnd.cyclonedx+json").build();
    }

    /** The whole reports folder as a ZIP, streamed: {@code <stage>/result.json}, logs, SARIF, SBOM. */
    @GET
    @Path("{id}/reports.zip")
    @Produces("application/zip")
    public Response reportsZip(@PathParam("id") String id) {
        visible(id);
        java.nio.file.Path dir = queries.reportsDir(id);
        jakarta.ws.rs.core.StreamingOutput body = out -> ReportsZip.write(dir, out);
        return Response.ok(body, "application/zip")
                .header("Content-Disposition", "attachment; filename=\"pipelinex-" + id + "-reports.zip\"").build();
    }

    /** The job, when the caller may see it; 404 otherwise, as for a job that does not exist. */
    private JobQueries.JobView visible(String id) {
        return queries.get(id, Callers.of(security)::maySee);
    }

    private Response created(JobMetadata metadata) {
        URI location = uri.getBaseUriBuilder().path("jobs").path(metadata.jobId()).build();
        return Response.created(location).entity(write(JobFiles.json().valueToTree(metadata))).build();
    }

    /** The part called {@code name}; a part sent twice is refused rather than one of them chosen. */
    private static Optional<EntityPart> part(List<EntityPart> parts, String name) {
        List<EntityPart> found = parts.stream().filter(p -> name.equals(p.getName())).toList();
        if (found.size() > 1) {
            throw malformed("the multipart part '" + name + "' appears " + found.size() + " times; send it once");
        }
        return found.stream().findFirst();
    }

    private static int number(String name, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw malformed("query parameter '" + name + "' must be a whole number from " + min + " to " + max
                + ", got '" + value + "'");
    }

    private static RequestRefusedException malformed(String detail) {
        return new RequestRefusedException(Refusal.MALFORMED_REQUEST, detail);
    }

    private static String write(Object tree) {
        try {
            return JobFiles.json().writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
