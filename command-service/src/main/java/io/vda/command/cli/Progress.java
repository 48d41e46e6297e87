package io.vda.command.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The "waiting for the outcome" line on stderr: a spinner with the command's current state and the time waited,
 * redrawn in place on a terminal; on a pipe, one line per state change instead (no control characters in logs).
 */
final class Progress implements AutoCloseable {

    private static final char[] FRAMES = {'|', '/', '-', '\\'};

    private final PrintWriter err;
    private final String what;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private volatile String state = "pending";
    private String printedState;
    private Thread spinner;
    private boolean closed;

    private Progress(PrintWriter err, String what, boolean terminal) {
        this.err = err;
        this.what = what;
        this.terminal = terminal;
    }

    static Progress start(PrintWriter err, String what) {
        Progress p = new Progress(err, what, isTerminal() && System.getenv("VDA_NO_SPINNER") == null);
        if (p.terminal) {
            p.spinner = new Thread(p::spin, "vda-progress");
            p.spinner.setDaemon(true);
            p.spinner.start();
        } else {
            p.line();
        }
        return p;
    }

    /** Java 22+ returns a Console even when redirected; ask it then (Console.isTerminal), else trust null. */
    private static boolean isTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    void state(String newState) {
        state = newState;
        if (!terminal) {
            line();
        }
    }

    private synchronized void line() {
        if (!state.equals(printedState)) {
            printedState = state;
            err.println(what + ": " + state);
            err.flush();
        }
    }

    private void spin() {
        int frame = 0;
        while (!Thread.currentThread().isInterrupted()) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                err.print(String.format(Locale.ROOT, "\r%c %s: %s (%.1fs)\u001b[K", FRAMES[frame++ % FRAMES.length],
                        what, state, seconds));
                err.flush();
            }
            try {
                Thread.sleep(120);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (terminal) {
            spinner.interrupt();
            err.print("\r\u001b[K");
            err.flush();
        }
    }
}
