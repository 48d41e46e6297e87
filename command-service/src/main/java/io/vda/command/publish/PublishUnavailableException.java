package io.vda.command.publish;

/** Kafka did not take the command within the publish timeout (or refused it retriably): answered 503. */
public final class PublishUnavailableException extends RuntimeException {
    public PublishUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
