package io.vda.schema;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates topics from the {@link Topics} catalogue; a topic that already exists is left as it is. */
public final class TopicBootstrapper {

    private static final Logger LOG = LoggerFactory.getLogger(TopicBootstrapper.class);

    private final Admin admin;
    private final short replicationFactor;

    public TopicBootstrapper(Admin admin, short replicationFactor) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
    }

    public void createClusterTopics(Topics topics) {
        create(topics.clusterTopics());
    }

    public void createNodeTopic(Topics topics, String nodeName) {
        create(List.of(topics.nodeTopic(nodeName)));
    }

    public void create(Collection<Topics.TopicSpec> specs) {
        List<NewTopic> newTopics = specs.stream()
                .map(s -> new NewTopic(s.name(), s.partitions(), replicationFactor).configs(s.config()))
                .toList();
        var result = admin.createTopics(newTopics);
        for (var entry : result.values().entrySet()) {
            try {
                entry.getValue().get(30, TimeUnit.SECONDS);
                LOG.info("Topic {} created", entry.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + entry.getKey() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted creating topic " + entry.getKey(), e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("timed out creating topic " + entry.getKey(), e);
            }
        }
    }
}
