package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole path on a real WildFly with its embedded Artemis: submissions over HTTP, the
 * queue, the MDB and the local runner building real Maven projects. The jobs are all submitted
 * by the first test that needs one, so that they run while the others wait.
 */
@ExtendWith(ArquillianExtension.class)
class PipelineIT {

    static final String METADATA = """
            {"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"},
             "versions": {"java": "17", "build_tool": "3.9"},
             "pipeline": {"run_build": true, "run_unit_tests": true, "run_sast": true,
                          "run_sca": true, "run_secret_scan": true}}""";
    static final String APP = "src/main/java/com/example/greeting/";
    static final String TESTS = "src/test/java/com/example/greeting/";
    static final Duration JOB_TIME = Duration.ofMinutes(10);

    static final Api api = Api.local();
    static final Map<String, String> jobs = new HashMap<>();
    static GitHttpServer git;
    static TestRepository repository;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    /** Submits every job once; each test then waits for its own. */
    static synchronized String job(String name) throws Exception {
        if (jobs.isEmpty()) {
            jobs.put("good", submitted(api.upload(Projects.zip("greeting-service", "greeting-service-main/",
                    Map.of(), Set.of()), METADATA)));
            jobs.put("broken", submitted(api.upload(Projects.zip("greeting-service", "", Map.of(
                    APP + "Greeter.java", "package com.example.greeting;\npublic class Greeter { int x = ; }\n"),
                    Set.of()), METADATA)));
            jobs.put("failing-test", submitted(api.upload(Projects.zip("greeting-service", "", Map.of(
                    TESTS + "ArithmeticTest.java", """
                            package com.example.greeting;
                            import static org.junit.jupiter.api.Assertions.assertEquals;
                            import org.junit.jupiter.api.Test;
                            class ArithmeticTest {
                                @Test void addsUp() { assertEquals(4, 2 + 2); }
                                @Test void isWrong() { assertEquals(5, 2 + 2, "planted failure"); }
                            }
                            """), Set.of()), METADATA)));
            jobs.put("github", submitted(api.postJson("api/jobs/github", githubRequest())));
            jobs.put("fetches", submitted(api.upload(Projects.zip("greeting-service", "", withNewDependency(), Set.of()), METADATA)));
        }
        return jobs.get(name);
    }

    /**
     * The project with one more dependency, of a version no cache has seen, from the repository
     * the test server allows besides Maven Central: resolve has to fetch it through the server's
     * proxy, which the build beside resolve cannot.
     */
    static Map<String, String> withNewDependency() throws IOException {
        String version = "1." + System.currentTimeMillis();
        if (repository == null) {
            repository = new TestRepository();
        }
        repository.publish("dev.pipelinex.it", "beside-resolve", version);
        String original = new String(Projects.files("greeting-service").get("pom.xml"), StandardCharsets.UTF_8);
        String projectPom = original.replace("  <dependencies>\n", """
                  <dependencies>
                    <dependency><groupId>dev.pipelinex.it</groupId><artifactId>beside-resolve</artifactId><version>%s</version></dependency>
                """.formatted(version));
        assertTrue(projectPom.contains("beside-resolve"), "the sample's POM has a dependencies section");
        return Map.of("pom.xml", projectPom);
    }

    static String sha1(byte[] data) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String submitted(Api.Reply reply) {
        assertEquals(201, reply.status(), "submission should be created: " + reply.body());
        String id = reply.json().path("job_id").asText();
        assertEquals("/api/jobs/" + id, java.net.URI.create(reply.raw().headers().firstValue("Location").orElseThrow())
                .getPath(), "Location should point at the job");
        return id;
    }

    static String githubRequest() throws Exception {
        Path repos = Path.of(System.getProperty("it.workspaces")).getParent().resolve("it-git");
        Path work = repos.resolve("work");
        dev.pipelinex.job.Workspaces.deleteTree(repos);
        Projects.writeTo("greeting-service", work);
        run(work, "git", "init", "-q", "-b", "main");
        run(work, "git", "add", "-A");
        run(work, "git", "-c", "user.name=PipelineX", "-c", "user.email=it@pipelinex.invalid",
                "commit", "-q", "-m", "greeting service");
        Files.createDirectories(repos.resolve("acme"));
        run(repos, "git", "clone", "-q", "--bare", work.toString(), repos.resolve("acme/greeting-service.git").toString());
        git = new GitHttpServer(repos);
        return METADATA.replaceFirst("\\{", "{\"github_url\": \"http://127.0.0.1:" + git.port()
                + "/acme/greeting-service\",");
    }

    @AfterAll
    static void stopServers() {
        if (git != null) {
            git.close();
        }
        if (repository != null) {
            repository.close();
        }
    }

    @Test
    void springBootProjectSucceedsWithItsTestCounts() throws Exception {
        String id = job("good");
        JsonNode job = api.awaitFinal(id, JOB_TIME);
        assertEquals("SUCCEEDED", job.path("state").path("state").asText(), "job: " + job);
        assertEquals("ACCEPTED", job.path("metadata").path("admission").path("outcome").asText());
        assertEquals("upload", job.path("metadata").path("source").path("type").asText());
        assertEquals(List.of("PASSED", "PASSED", "PASSED", "PASSED", "PASSED", "PASSED"), stageStatuses(job));
        assertEquals(System.getProperty("it.runner"), job.path("state").path("runner").asText(),
                "the state names the runner the server chose");

        JsonNode test = result(id, "test");
        assertEquals(4, test.path("summary").path("tests").path("passed").asInt(), "test result: " + test);
        assertEquals(0, test.path("summary").path("tests").path("failed").asInt());
        assertEquals(1, test.path("summary").path("tests").path("skipped").asInt());
        for (String scanner : List.of("sast", "sca", "secrets")) {
            assertTrue(result(id, scanner).path("summary").path("findings").has("high"),
                    scanner + " counts its findings by severity: " + result(id, scanner));
        }

        Api.Reply log = api.get("api/jobs/" + id + "/reports/build/log");
        assertEquals(200, log.status());
        assertTrue(log.contentType().startsWith("text/plain"), log.contentType());
        assertTrue(log.body().startsWith("[PIPELINE] START build"), log.body());
        assertTrue(log.body().contains("--- compiler:"), "the build log holds Maven's output up to the tests");
        assertTrue(log.body().strip().endsWith("[PIPELINE] END build PASSED"), log.body());
        assertFalse(log.body().contains("Tests run:"), "the tests' output is the test stage's");
        // The tests ran in the build's Maven run: the rest of its output is the test stage's log.
        assertTrue(result(id, "build").path("summary").path("tests_follow").asBoolean(), "build result: " + result(id, "build"));
        String testLog = api.get("api/jobs/" + id + "/reports/test/log").body();
        assertTrue(testLog.startsWith("[PIPELINE] START test\n"), testLog);
        assertTrue(testLog.contains("Tests run:") && testLog.contains("BUILD SUCCESS"), testLog);
        assertTrue(testLog.strip().endsWith("[PIPELINE] END test PASSED"), testLog);
        JsonNode stages = job.path("state").path("stages");
        assertFalse(java.time.Instant.parse(stages.get(2).path("started_at").asText())
                .isBefore(java.time.Instant.parse(stages.get(1).path("finished_at").asText())), "test starts when build ends: " + stages);

        Path ws = workspace(id);
        for (String entry : List.of("source/pom.xml", "pipelines/spring-boot-maven/build.sh", "metadata.json",
                "state.json", "reports/build/result.json", "reports/build/build.log", "reports/test/test.log")) {
            assertTrue(Files.exists(ws.resolve(entry)), "the workspace holds " + entry);
        }
        assertFalse(Files.exists(ws.resolve("source/greeting-service-main")),
                "a single top-level folder in the ZIP is unwrapped");
    }

    /**
     * A dependency no cache has seen, while the build runs beside resolve: both can fetch through
     * the proxy, and whichever asks first gets it there. When resolve fetched it (into the job's
     * repository), the build beside it is stopped and built again after resolve; when the build
     * asked first, it got the same checked file from the proxy and stands, and resolve then finds
     * it in the shared cache. Either way the job passes on the file the proxy checked.
     */
    @Test
    void aBuildBesideResolveGetsANewDependencyThroughTheProxyEitherWay() throws Exception {
        String id = job("fetches");
        JsonNode job = api.awaitFinal(id, JOB_TIME);
        assertEquals("SUCCEEDED", job.path("state").path("state").asText(), "job: " + job);
        assertEquals(List.of("PASSED", "PASSED", "PASSED", "PASSED", "PASSED", "PASSED"), stageStatuses(job));
        assertTrue(repository.served() >= 4, "through the proxy, from the allowed repository: " + repository.served());
        String pipeline = Files.readString(workspace(id).resolve("reports/pipeline.log"));
        assertTrue(pipeline.contains("[PIPELINE] START build (beside resolve"), pipeline);
        String build = api.get("api/jobs/" + id + "/reports/build/log").body();
        String test = api.get("api/jobs/" + id + "/reports/test/log").body();
        assertTrue(build.strip().endsWith("[PIPELINE] END build PASSED"), build);
        assertEquals(4, result(id, "test").path("summary").path("tests").path("passed").asInt(), "tests: " + result(id, "test"));
        int downloaded = result(id, "resolve").path("summary").path("artifacts").path("downloaded").asInt();
        if (downloaded > 0) {
            // Resolve fetched it: the build beside it is stopped, and the build that counts began after resolve.
            assertTrue(pipeline.contains("the build started beside it was stopped, its "), pipeline);
            int stopped = build.indexOf("[PIPELINE] STOPPED build: resolve added ");
            assertTrue(stopped > 0 && build.indexOf("[PIPELINE] START build", stopped) > stopped,
                    "the log says why the build beside resolve stopped, then holds the second build's: " + build);
            JsonNode stages = job.path("state").path("stages");
            assertFalse(java.time.Instant.parse(stages.get(1).path("started_at").asText())
                            .isBefore(java.time.Instant.parse(stages.get(0).path("finished_at").asText())),
                    "the build that counts began after resolve: " + stages);
        } else {
            // The build asked first: the proxy served it to the build's own repository, and the build stands.
            assertTrue(pipeline.contains("resolve downloaded nothing: the build started beside it stands"), pipeline);
            assertFalse(build.contains("[PIPELINE] STOPPED build"), build);
            assertTrue((build + test).matches("(?s).*\\[repository\\] [1-9][0-9]* files served.*"),
                    "the build's process fetched through its proxy socket: " + test);
        }
    }

    @Test
    void projectThatDoesNotCompileFailsAtBuildAndSkipsWhatDependsOnIt() throws Exception {
        String id = job("broken");
        JsonNode job = api.awaitFinal(id, JOB_TIME);
        assertEquals("FAILED", job.path("state").path("state").asText(), "job: " + job);
        assertEquals(List.of("PASSED", "FAILED", "SKIPPED", "SKIPPED", "PASSED", "PASSED"), stageStatuses(job),
                "tests and SAST need the build; SCA and the secret scan do not");
        assertTrue(job.path("state").path("error").asText().startsWith("stage build failed"),
                "the job's error names the stage: " + job.path("state").path("error"));
        assertEquals("skipped because stage build failed", job.path("state").path("stages").get(2).path("message").asText());
        assertTrue(api.get("api/jobs/" + id + "/reports/build/log").body().contains("COMPILATION ERROR"));
    }

    @Test
    void failingTestFailsTheTestStageAndCountsEveryCase() throws Exception {
        String id = job("failing-test");
        JsonNode job = api.awaitFinal(id, JOB_TIME);
        assertEquals("FAILED", job.path("state").path("state").asText(), "job: " + job);
        assertEquals("PASSED", job.path("state").path("stages").get(1).path("status").asText());
        assertEquals("FAILED", job.path("state").path("stages").get(2).path("status").asText());
        JsonNode tests = result(id, "test").path("summary").path("tests");
        assertEquals(5, tests.path("passed").asInt(), "tests: " + tests);
        assertEquals(1, tests.path("failed").asInt(), "tests: " + tests);
        assertEquals(1, tests.path("skipped").asInt(), "tests: " + tests);
    }

    @Test
    void githubJobIsClonedFromAGitServerAndRuns() throws Exception {
        String id = job("github");
        JsonNode job = api.awaitFinal(id, JOB_TIME);
        assertEquals("SUCCEEDED", job.path("state").path("state").asText(), "job: " + job);
        JsonNode source = job.path("metadata").path("source");
        assertEquals("github", source.path("type").asText());
        assertTrue(source.path("url").asText().endsWith("/acme/greeting-service.git"), source.toString());
        assertTrue(source.path("commit").asText().matches("[0-9a-f]{40}"), source.toString());
        assertEquals(4, result(id, "test").path("summary").path("tests").path("passed").asInt());
    }

    @Test
    void projectWithoutSpringBootApplicationIsRefusedAndLeavesNothing() throws Exception {
        job("good");
        Set<Path> before = workspaceDirs();
        Api.Reply reply = api.upload(Projects.zip("greeting-service", "", Map.of(),
                Set.of(APP + "GreetingApplication.java")), METADATA);
        assertEquals(422, reply.status(), reply.body());
        assertTrue(reply.contentType().startsWith("application/problem+json"), reply.contentType());
        JsonNode problem = reply.json();
        assertEquals("urn:pipelinex:problem:admission-refused", problem.path("type").asText());
        assertTrue(problem.path("detail").asText().contains("@SpringBootApplication"), problem.toString());
        assertEquals(before, workspaceDirs(), "a refused submission leaves no workspace");
    }

    @Test
    void badRequestsAreProblemsThatNameTheirCause() throws Exception {
        job("good");
        Set<Path> before = workspaceDirs();

        Api.Reply unknownField = api.upload(Projects.zip("greeting-service"),
                METADATA.replace("\"run_sca\"", "\"run_fuzz\": true, \"run_sca\""));
        assertEquals(400, unknownField.status(), unknownField.body());
        assertTrue(unknownField.json().path("detail").asText().contains("pipeline.run_fuzz"), unknownField.body());

        Api.Reply wrongType = api.upload(Projects.zip("greeting-service"),
                METADATA.replace("\"run_build\": true", "\"run_build\": \"yes\""));
        assertEquals(400, wrongType.status(), wrongType.body());
        assertTrue(wrongType.json().path("detail").asText().contains("pipeline.run_build"), wrongType.body());

        Api.Reply notZip = api.upload("this is not a zip".getBytes(StandardCharsets.UTF_8), METADATA);
        assertEquals(400, notZip.status(), notZip.body());
        assertEquals("urn:pipelinex:problem:invalid-archive", notZip.json().path("type").asText());

        Api.Reply java8 = api.upload(Projects.zip("greeting-service"), METADATA.replace("\"17\"", "\"8\""));
        assertEquals(422, java8.status(), java8.body());
        assertTrue(java8.json().path("detail").asText().contains("17"), "names the served versions: " + java8.body());

        Api.Reply otherHost = api.postJson("api/jobs/github",
                METADATA.replaceFirst("\\{", "{\"github_url\": \"https://gitlab.example/acme/app\","));
        assertEquals(400, otherHost.status(), otherHost.body());
        assertEquals("urn:pipelinex:problem:invalid-repository-url", otherHost.json().path("type").asText());

        Api.Reply missing = api.get("api/jobs/00000000-0000-4000-8000-000000000000");
        assertEquals(404, missing.status());
        assertEquals("urn:pipelinex:problem:job-not-found", missing.json().path("type").asText());
        assertEquals(404, api.get("api/jobs/..%2F..%2Fetc").status());

        Api.Reply noRoute = api.get("api/nothing-here");
        assertEquals(404, noRoute.status());
        assertTrue(noRoute.contentType().startsWith("application/problem+json"), noRoute.contentType());

        assertEquals(before, workspaceDirs(), "refused submissions leave no workspace");
    }

    @Test
    void jobsAreListedNewestFirst() throws Exception {
        String github = job("github");
        JsonNode page = api.get("api/jobs?limit=100").json();
        List<String> ids = new java.util.ArrayList<>();
        page.path("jobs").forEach(j -> ids.add(j.path("job_id").asText()));
        assertTrue(ids.indexOf(github) < ids.indexOf(job("good")), "newest first: " + ids);
        assertTrue(page.path("total").asInt() >= 4);
        assertEquals(1, api.get("api/jobs?limit=1").json().path("jobs").size());
        assertEquals(400, api.get("api/jobs?limit=0").status());
    }

    @Test
    void theQueueAndItsCountersShowInTheServerConfiguration() throws Exception {
        api.awaitFinal(job("good"), JOB_TIME);
        String out = cli("/subsystem=messaging-activemq/server=default/jms-queue=PipelineJobs:read-resource(include-runtime=true)");
        assertTrue(out.contains("\"outcome\" => \"success\""), out);
        long added = Long.parseLong(out.replaceAll("(?s).*\"messages-added\" => (\\d+)L.*", "$1"));
        assertTrue(added >= 1, "messages-added counts the jobs sent: " + out);
        assertTrue(cli("/subsystem=messaging-activemq/server=default/jms-queue=PipelineJobsDLQ:read-resource")
                .contains("success"));
    }

    static List<String> stageStatuses(JsonNode job) {
        List<String> statuses = new java.util.ArrayList<>();
        job.path("state").path("stages").forEach(s -> statuses.add(s.path("status").asText()));
        return statuses;
    }

    static JsonNode result(String id, String stage) {
        for (JsonNode r : api.get("api/jobs/" + id + "/reports").json().path("stages")) {
            if (r.path("stage").asText().equals(stage)) {
                return r;
            }
        }
        throw new AssertionError("job " + id + " has no result for stage " + stage);
    }

    static Path workspace(String id) {
        return Path.of(System.getProperty("it.workspaces")).resolve(id);
    }

    static Set<Path> workspaceDirs() throws IOException {
        Path root = Path.of(System.getProperty("it.workspaces"));
        if (!Files.isDirectory(root)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return Set.copyOf(s.toList());
        }
    }

    static String cli(String command) throws Exception {
        int port = 9990 + Integer.getInteger("it.port.offset", 0);
        Process p = new ProcessBuilder(System.getProperty("jboss.home") + "/bin/jboss-cli.sh", "--connect",
                "--controller=127.0.0.1:" + port, "--command=" + command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jboss-cli ended");
        return out;
    }

    static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }
}
