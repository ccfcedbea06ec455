package dev.pipelinex.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/** Submitting jobs and reading them back: the contract in docs/api.md. */
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

    @POST
    @Path("upload")
    @CapacityChecked
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(List<EntityPart> parts) throws IOException {
        EntityPart zip = part(parts, "project_zip").orElseThrow(() -> malformed(
                "the multipart part 'project_zip' (the project as a ZIP file) is missing"));
        EntityPart metadata = part(parts, "metadata").orElseThrow(() -> malformed(
                "the multipart part 'metadata' (the job metadata as JSON text) is missing"));
        String json = metadata.getContent(String.class);
        try (InputStream content = zip.getContent()) {
            return created(submission.submitUpload(content, zip.getFileName().orElse(null), json));
        }
    }

    @POST
    @Path("github")
    @CapacityChecked
    @Consumes(MediaType.APPLICATION_JSON)
    public Response github(String body) {
        return created(submission.submitGit(body));
    }

    @GET
    public Response list(@QueryParam("offset") @DefaultValue("0") String offset,
                         @QueryParam("limit") @DefaultValue("20") String limit) {
        int from = number("offset", offset, 0, Integer.MAX_VALUE);
        int size = number("limit", limit, 1, MAX_PAGE);
        JobQueries.JobPage page = queries.list(from, size);
        ObjectMapper json = JobFiles.json();
        ObjectNode body = json.createObjectNode();
        ArrayNode jobs = body.putArray("jobs");
        for (JobQueries.JobView v : page.jobs()) {
            ObjectNode j = jobs.addObject();
            j.put("job_id", v.metadata().jobId());
            j.put("created_at", v.metadata().createdAt().toString());
            j.put("stack_id", v.metadata().stackId());
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
        return Response.ok(write(document(queries.get(id)))).build();
    }

    /** Cancels a QUEUED or RUNNING job: 202 with the job, now CANCELLED; 409 when it has ended. */
    @POST
    @Path("{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
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
        body.put("job_id", queries.get(id).metadata().jobId());
        body.set("stages", JobFiles.json().valueToTree(queries.results(id)));
        return Response.ok(write(body)).build();
    }

    @GET
    @Path("{id}/reports/{stage}/log")
    @Produces(MediaType.TEXT_PLAIN + ";charset=utf-8")
    public Response log(@PathParam("id") String id, @PathParam("stage") String stage) {
        return Response.ok(queries.log(id, stage).toFile()).type(MediaType.TEXT_PLAIN + ";charset=utf-8").build();
    }

    /** SARIF 2.1.0 of a scanner stage (sast, sca, secrets). */
    @GET
    @Path("{id}/reports/{stage}/sarif")
    @Produces("application/sarif+json")
    public Response sarif(@PathParam("id") String id, @PathParam("stage") String stage) {
        return Response.ok(queries.sarif(id, stage).toFile()).type("application/sarif+json").build();
    }

    /** The CycloneDX SBOM of the project's resolved dependency graph. */
    @GET
    @Path("{id}/reports/sca/sbom")
    @Produces("application/vnd.cyclonedx+json")
    public Response sbom(@PathParam("id") String id) {
        return Response.ok(queries.sbom(id).toFile()).type("application/vnd.cyclonedx+json").build();
    }

    /** The whole reports folder as a ZIP, streamed: {@code <stage>/result.json}, logs, SARIF, SBOM. */
    @GET
    @Path("{id}/reports.zip")
    @Produces("application/zip")
    public Response reportsZip(@PathParam("id") String id) {
        java.nio.file.Path dir = queries.reportsDir(id);
        jakarta.ws.rs.core.StreamingOutput body = out -> ReportsZip.write(dir, out);
        return Response.ok(body, "application/zip")
                .header("Content-Disposition", "attachment; filename=\"pipelinex-" + id + "-reports.zip\"").build();
    }

    private Response created(JobMetadata metadata) {
        URI location = uri.getBaseUriBuilder().path("jobs").path(metadata.jobId()).build();
        return Response.created(location).entity(write(JobFiles.json().valueToTree(metadata))).build();
    }

    private static Optional<EntityPart> part(List<EntityPart> parts, String name) {
        return parts.stream().filter(p -> name.equals(p.getName())).findFirst();
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
