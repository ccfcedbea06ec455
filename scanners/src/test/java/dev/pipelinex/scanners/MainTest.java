package dev.pipelinex.scanners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void theScaCommandsAreRegisteredAndUsageErrorsExitWith2() {
        assertTrue(Main.commands().keySet().containsAll(java.util.List.of("sca", "advisories-import")));
        assertEquals(2, Main.run(new String[] {"sca"}));
        assertEquals(2, Main.run(new String[] {"sca", "--source", "/", "--out", "/tmp", "--bogus"}));
        assertEquals(2, Main.run(new String[] {"advisories-import", "--into", "/tmp/x"}));
        assertEquals(2, Main.run(new String[] {"no-such-command"}));
    }
}
