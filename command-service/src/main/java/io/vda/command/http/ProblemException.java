package io.vda.command.http;

/** Ends a request with the problem it carries. */
public final class ProblemException extends RuntimeException {

    private final Problem problem;

    public ProblemException(Problem problem) {
        super(problem.json().path("title").asText() + ": " + problem.json().path("detail").asText(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
