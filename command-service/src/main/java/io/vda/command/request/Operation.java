package io.vda.command.request;

/** What a write asks for; decides the success status (201, 200, 204) when the client waits for the outcome. */
public enum Operation {
    CREATE, MODIFY, DELETE
}
