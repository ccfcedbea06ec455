package dev.pipelinex.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipelinex.admission.StackContract;
import dev.pipelinex.admission.Stacks;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.MetadataParser;
import dev.pipelinex.service.JobSubmission;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** What this installation serves: the stacks, their contracts, and the Java and Maven versions. */
@Path("/stacks")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class StacksResource {

    @Inject
    private JobSubmission submission;

    @GET
    public String list() {
        Stacks stacks = submission.stacks();
        ObjectNode body = JobFiles.json().createObjectNode();
        ArrayNode list = body.putArray("stacks");
        for (StackContract c : stacks.contracts()) {
            ObjectNode s = list.addObject();
            s.put("id", c.id());
            ObjectNode stack = s.putObject("stack");
            stack.put("language", "java");
            stack.put("framework", c.framework());
            stack.put("build_tool", "maven");
            s.put("contract", c.describe());
            ObjectNode versions = s.putObject("versions");
            stacks.javaVersions().forEach(versions.putArray("java")::add);
            Stacks.MAVEN_VERSIONS.forEach(versions.putArray("build_tool")::add);
            s.put("default_java", MetadataParser.DEFAULT_JAVA);
        }
        MetadataParser.TOGGLES.forEach(body.putArray("pipeline_options")::add);
        JobRequest.PipelineOptions.SEVERITIES.forEach(body.putArray("fail_on")::add);
        JobRequest.PipelineOptions.SECRET_SCAN_MODES.forEach(body.putArray("secret_scan_modes")::add);
        try {
            return JobFiles.json().writerWithDefaultPrettyPrinter().writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
