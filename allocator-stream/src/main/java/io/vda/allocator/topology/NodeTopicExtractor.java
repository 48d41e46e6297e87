package io.vda.allocator.topology;

import io.vda.schema.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/**
 * Routes a desired-state record to its node's topic. The node travels in a header, not the key (the key is the
 * object key the agent reads) and not the value (a tombstone has none).
 */
final class NodeTopicExtractor implements TopicNameExtractor<String, Object> {

    static final String NODE_HEADER = "vda.node";

    private final Topics topics;

    NodeTopicExtractor(Topics topics) {
        this.topics = topics;
    }

    @Override
    public String extract(String key, Object value, RecordContext context) {
        Header node = context.headers().lastHeader(NODE_HEADER);
        if (node == null) {
            throw new IllegalStateException("desired-state record " + key + " has no " + NODE_HEADER + " header");
        }
        return topics.node(new String(node.value(), StandardCharsets.UTF_8));
    }
}
