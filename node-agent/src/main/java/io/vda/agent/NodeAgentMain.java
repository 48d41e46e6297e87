package io.vda.agent;

import java.util.concurrent.CountDownLatch;

/** Runs one node's agent; configured by environment variables (see {@link NodeAgentConfig}). */
public final class NodeAgentMain {

    private NodeAgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        NodeAgentConfig config;
        try {
            config = NodeAgentConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("node-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        NodeAgent agent = new NodeAgent(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "node-agent-shutdown"));
        agent.start();
        stopped.await();
    }
}
