package io.vda.command.request;

import io.vda.schema.EtcdKeys;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * A validated write, ready to publish: the command record (with its command id) and where its resource lives.
 *
 * @param commandId       the command's id (client-chosen or generated)
 * @param clientCommandId whether the client chose the id (then it is also an idempotency key)
 * @param nodeTopic       for Create{Disk,Controller}Node: the node whose desired-state topic must exist first
 */
public record CommandRequest(
        String commandId,
        boolean clientCommandId,
        SpecificRecord command,
        ResourceType type,
        Operation operation,
        String parent,
        String name,
        Optional<String> nodeTopic) {

    public String commandType() {
        return command.getSchema().getName();
    }

    public String recordKey() {
        return type.recordKey(parent, name);
    }

    public String resourceName() {
        return type.resourceName(parent, name);
    }

    public String resourcePath() {
        return type.itemPath(parent, name);
    }

    public String resourceEtcdKey(EtcdKeys keys) {
        return type.etcdKey(keys, parent, name);
    }
}
