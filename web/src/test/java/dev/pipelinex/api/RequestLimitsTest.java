package dev.pipelinex.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestLimitsTest {

    @Test
    void boundedStreamPassesUpToItsLimit() throws IOException {
        byte[] data = new byte[1000];
        try (InputStream in = new RequestLimits.Bounded(new ByteArrayInputStream(data), 1000, "too much")) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void boundedStreamRefusesTheFirstByteOverItsLimit() {
        InputStream in = new RequestLimits.Bounded(new ByteArrayInputStream(new byte[1001]), 1000, "too much");
        RequestRefusedException e = assertThrows(RequestRefusedException.class, in::readAllBytes);
        assertEquals(Refusal.REQUEST_TOO_LARGE, e.refusal());
        assertEquals("too much", e.detail());
    }

    @Test
    void jsonTextMustBeUtf8AndWithinTheLimit() throws IOException {
        assertEquals("{\"a\": \"é\"}", JobsResource.utf8(new ByteArrayInputStream("{\"a\": \"é\"}".getBytes(StandardCharsets.UTF_8)),
                "the metadata", Refusal.INVALID_METADATA));
        RequestRefusedException bad = assertThrows(RequestRefusedException.class, () -> JobsResource.utf8(
                new ByteArrayInputStream(new byte[] {'{', (byte) 0xc3, '(', '}'}), "the part 'metadata'", Refusal.INVALID_METADATA));
        assertTrue(bad.detail().contains("'metadata' is not valid UTF-8"), bad.detail());
        RequestRefusedException big = assertThrows(RequestRefusedException.class, () -> JobsResource.utf8(
                new ByteArrayInputStream(new byte[70 * 1024]), "the part 'metadata'", Refusal.INVALID_METADATA));
        assertTrue(big.detail().contains("longer than the limit"), big.detail());
    }
}
