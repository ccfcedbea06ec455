package dev.pipelinex.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbesTest {

    @Test
    void aCheckWithoutItsProbeIsDownAndSaysWhy() {
        Probes.Result r = Probes.call("never-registered");
        assertFalse(r.up());
        assertEquals("PipelineX has not started", r.data().get("error"));
    }

    @Test
    void aProbeThatThrowsIsDownNotAnError() {
        Probes.register("throws", () -> {
            throw new IllegalStateException("engine gone");
        });
        Probes.Result r = Probes.call("throws");
        assertFalse(r.up());
        assertEquals("engine gone", r.data().get("error"));
        Probes.unregister("throws");
    }

    @Test
    void aRegisteredProbeAnswers() {
        Probes.register("ok", () -> Probes.Result.up(Map.of("depth", 3)));
        assertTrue(Probes.call("ok").up());
        assertEquals(3, Probes.call("ok").data().get("depth"));
        Probes.unregister("ok");
        assertFalse(Probes.call("ok").up(), "gone with the application");
    }
}
