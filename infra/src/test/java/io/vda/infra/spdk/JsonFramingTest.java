package io.vda.infra.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Where one request ends in the byte stream, as SPDK's streaming parser sees it. */
class JsonFramingTest {
    private static int end(String s) {
        return JsonFraming.endOfValue(s.getBytes(StandardCharsets.UTF_8), 0);
    }

    @Test
    void shouldFindEndOfObjectWhenStringsHoldBracesAndEscapes() {
        // Given / When / Then
        String req = "{\"method\":\"x\",\"params\":{\"name\":\"a}\\\"]\"}}";
        assertEquals(req.length(), end(req + "{\"next\":1}"));
    }

    @Test
    void shouldWaitWhenObjectIsIncomplete() {
        assertEquals(JsonFraming.INCOMPLETE, end("{\"jsonrpc\":\"2.0\",\"id\":500,\"method\":"));
        assertEquals(JsonFraming.INCOMPLETE, end("  \n"));
    }

    @Test
    void shouldRejectWhenTextIsNotAnObjectOrArray() {
        assertEquals(JsonFraming.MALFORMED, end("hello"));
    }
}
