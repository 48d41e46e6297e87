package io.vda.infra.junit;

import io.vda.infra.etcd.EtcdServer;
import io.vda.infra.kafka.KafkaBroker;
import java.nio.file.Path;

/**
 * What an integration test gets: a running broker and etcd shared by the test JVM, and a prefix of its own so that
 * its topics ({@code <prefix>.commands}, …) and etcd keys ({@code /<prefix>/…}) do not meet another class's.
 */
public record TestCluster(KafkaBroker broker, EtcdServer etcd, String prefix, Path workDir) {

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String etcdEndpoint() {
        return etcd.endpoint();
    }

    /** The etcd key root for this test class. */
    public String etcdRoot() {
        return "/" + prefix;
    }
}
