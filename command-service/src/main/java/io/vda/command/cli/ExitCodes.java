package io.vda.command.cli;

/** What the {@code vda} exit status means; scripts can tell a refusal from a transport problem. */
public final class ExitCodes {
    /** Done (or, with --no-wait, accepted). */
    public static final int OK = 0;
    /** Could not talk to the API, or the server failed (5xx, 503 Kafka unavailable). */
    public static final int UNAVAILABLE = 1;
    /** Bad command-line usage (picocli's convention). */
    public static final int USAGE = 2;
    /** The API refused the request as invalid (400, 413, 415). */
    public static final int INVALID = 3;
    /** The allocator rejected the command (409, 422). */
    public static final int REJECTED = 4;
    /** The resource or command does not exist (404). */
    public static final int NOT_FOUND = 5;
    /** Still pending when the wait ran out; the command may yet succeed. */
    public static final int TIMED_OUT = 6;
    /** Authentication failed (401). */
    public static final int UNAUTHORIZED = 7;

    private ExitCodes() {
    }

    public static int forStatus(int status) {
        return switch (status) {
            case 400, 413, 415 -> INVALID;
            case 401, 403 -> UNAUTHORIZED;
            case 404 -> NOT_FOUND;
            case 409, 422 -> REJECTED;
            default -> status >= 200 && status < 300 ? OK : UNAVAILABLE;
        };
    }
}
