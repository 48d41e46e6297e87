package io.vda.agent.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.function.Executable;

/** Asserts the reason an SPDK call fails with. */
final class Errors {
    private Errors() {
    }

    static SpdkRpcException assertReason(SpdkErrorReason expected, Executable call) {
        SpdkRpcException e = assertThrows(SpdkRpcException.class, call);
        assertEquals(expected, e.reason(), e.getMessage());
        return e;
    }
}
