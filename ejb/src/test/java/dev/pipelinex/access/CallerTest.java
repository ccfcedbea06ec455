package dev.pipelinex.access;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobSource;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallerTest {

    static JobMetadata jobOf(String owner) {
        return new JobMetadata("id", Instant.EPOCH, JobSource.upload("p.zip"), null, null, null, "maven",
                new JobMetadata.Admission("ACCEPTED", List.of()), List.of("build"), owner);
    }

    @Test
    void aSubmitterSeesAndCancelsOnlyItsOwnJobs() {
        Caller alice = new Caller("alice", true, false, false);
        assertTrue(alice.maySubmit());
        assertTrue(alice.maySee(jobOf("alice")));
        assertTrue(alice.mayCancel(jobOf("alice")));
        assertFalse(alice.maySee(jobOf("bob")));
        assertFalse(alice.mayCancel(jobOf("bob")));
        assertFalse(alice.maySee(jobOf(null)), "a job with no recorded owner is not anyone's");
    }

    @Test
    void aViewerSeesEverythingAndChangesNothing() {
        Caller vera = new Caller("vera", false, true, false);
        assertFalse(vera.maySubmit());
        assertTrue(vera.maySee(jobOf("bob")));
        assertTrue(vera.maySee(jobOf(null)));
        assertFalse(vera.mayCancel(jobOf("bob")));
        assertFalse(vera.mayCancel(jobOf("vera")), "a viewer submitted nothing to cancel");
    }

    @Test
    void anAdminMayDoAll() {
        Caller root = new Caller("root", false, false, true);
        assertTrue(root.maySubmit());
        assertTrue(root.maySee(jobOf("bob")));
        assertTrue(root.mayCancel(jobOf("bob")));
    }

    @Test
    void anAccountWithNoRoleMayDoNothing() {
        Caller nobody = new Caller("alice", false, false, false);
        assertFalse(nobody.maySubmit());
        assertFalse(nobody.maySee(jobOf("alice")), "seeing needs a role, not only the name");
        assertFalse(nobody.mayCancel(jobOf("alice")));
    }
}
