package dev.pipelinex.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GitIntakeTest {

    /** Name resolution without DNS: github.com has a public address, everything else none. */
    static final AddressResolver PUBLIC = host -> {
        if (host.equals("github.com")) {
            return new java.net.InetAddress[] {java.net.InetAddress.getByAddress(host, new byte[] {(byte) 140, 82, 112, 3})};
        }
        return java.net.InetAddress.getAllByName(host.matches("[0-9.]+|[0-9a-f:]+") ? host : "unresolvable.invalid");
    };

    private final GitIntake intake = new GitIntake(GitPolicy.DEFAULT, IntakeLimits.DEFAULTS, PUBLIC);

    private static void assertRefused(GitIntake intake, String url, String fragment) {
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> intake.check(url),
                "URL '" + url + "' should be refused");
        assertEquals(Refusal.INVALID_REPOSITORY_URL, e.refusal(), "a bad URL should be INVALID_REPOSITORY_URL: " + url);
        assertTrue(e.detail().contains(fragment), "the refusal of '" + url + "' should mention '" + fragment + "': "
                + e.detail());
    }

    private void assertRefused(String url, String fragment) {
        assertRefused(intake, url, fragment);
    }

    @Test
    void githubOwnerRepoIsAcceptedAndNormalisedToDotGit() {
        assertEquals(URI.create("https://github.com/owner/repo.git"), intake.check("https://github.com/owner/repo"),
                "https://github.com/owner/repo should be cloned as .../repo.git");
    }

    @Test
    void dotGitTrailingSlashAndCaseAreNormalised() {
        assertEquals(URI.create("https://github.com/owner/repo.git"), intake.check("https://github.com/owner/repo.git"),
                "a .git URL should be kept as it is");
        assertEquals(URI.create("https://github.com/owner/repo.git"), intake.check("https://github.com/owner/repo/"),
                "a trailing slash should be dropped");
        assertEquals(URI.create("https://github.com/Owner/My_Repo-1.x.git"), intake.check("HTTPS://GitHub.COM/Owner/My_Repo-1.x"),
                "scheme and host should be lower-cased, owner and repository kept");
    }

    @Test
    void httpIsRefusedByDefault() {
        assertRefused("http://github.com/owner/repo", "only https");
    }

    @Test
    void httpIsAcceptedWhenThePolicyAllowsIt() {
        GitIntake lenient = new GitIntake(new GitPolicy(Set.of("127.0.0.1:*", " GitHub.com "), true, true),
                IntakeLimits.DEFAULTS, PUBLIC);
        assertEquals(URI.create("http://127.0.0.1:8081/owner/repo.git"), lenient.check("http://127.0.0.1:8081/owner/repo"),
                "http with an allowed host should be accepted when allowHttp is on, port kept");
        assertEquals(URI.create("https://github.com/o/r.git"), lenient.check("https://github.com/o/r"),
                "allowed host names should be trimmed and lower-cased by the policy");
        assertRefused(lenient, "http://example.org/owner/repo", "not allowed");
        assertRefused(lenient, "ftp://127.0.0.1/owner/repo", "only https");
    }

    @Test
    void otherHostsAreRefusedNamingTheAllowedOnes() {
        assertRefused("https://gitlab.com/owner/repo", "host 'gitlab.com' is not allowed; allowed hosts: github.com");
        assertRefused("https://www.github.com/owner/repo", "not allowed");
        assertRefused("https://127.0.0.1/owner/repo", "not allowed");
    }

    @Test
    void lookAlikeHostsAreRefused() {
        assertRefused("https://github.com.evil.test/owner/repo", "host 'github.com.evil.test' is not allowed");
        assertRefused("https://evilgithub.com/owner/repo", "host 'evilgithub.com' is not allowed");
        assertRefused("https://github.com./owner/repo", "not allowed");
    }

    @Test
    void userInfoIsRefused() {
        assertRefused("https://user:secret@github.com/owner/repo", "user name or password");
        assertRefused("https://token@github.com/owner/repo", "user name or password");
        assertRefused("https://github.com@evil.test/owner/repo", "user name or password");
    }

    @Test
    void queryAndFragmentAreRefused() {
        assertRefused("https://github.com/owner/repo?ref=main", "query or a fragment");
        assertRefused("https://github.com/owner/repo#main", "query or a fragment");
    }

    @Test
    void pathsThatAreNotOwnerSlashRepositoryAreRefused() {
        assertRefused("https://github.com/owner", "/owner/repository");
        assertRefused("https://github.com/", "/owner/repository");
        assertRefused("https://github.com", "/owner/repository");
        assertRefused("https://github.com/a/b/c", "got '/a/b/c'");
        assertRefused("https://github.com/owner/.git", "/owner/repository");
        assertRefused("https://github.com/owner/..", "/owner/repository");
        assertRefused("https://github.com/.hidden/repo", "/owner/repository");
        assertRefused("https://github.com//owner/repo", "/owner/repository");
        assertRefused("https://github.com/owner/re%2fpo", "/owner/repository");
        assertRefused("https://github.com/own er/repo", "not a URL");
    }

    @Test
    void otherSchemesAndOptionLikeValuesAreRefused() {
        assertRefused("ssh://git@github.com/owner/repo.git", "only https");
        assertRefused("file:///srv/git/repo.git", "only https");
        assertRefused("git://github.com/owner/repo.git", "only https");
        assertRefused("--upload-pack=x", "only https");
        assertRefused("-u", "only https");
        assertRefused("github.com/owner/repo", "only https");
    }

    @Test
    void scpStyleGitAddressIsRefused() {
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> intake.check("git@github.com:owner/repo.git"), "an scp-style address should be refused");
        assertEquals(Refusal.INVALID_REPOSITORY_URL, e.refusal(), "an scp-style address should be INVALID_REPOSITORY_URL");
    }
}
