package dev.medallion.support;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** How a service polls its queue; a group inside each service's configuration root. */
public interface ConsumerConfig {

    /** Polling threads per instance. */
    @WithDefault("2")
    int pollers();

    /** Long-poll wait of each receive (at most 20 s); also bounds how long shutdown waits for a poll. */
    @WithDefault("10s")
    Duration waitTime();

    /** How long shutdown waits for messages in flight before leaving them for redelivery. */
    @WithDefault("60s")
    Duration drainTimeout();

    /**
     * How long a received message stays hidden from other consumers. It is extended every third of this while the
     * message is being handled, so this bounds how soon another consumer retries after a crash, not how long work
     * may take.
     */
    @WithDefault("60s")
    Duration visibilityTimeout();

    /** The consumer settings for a queue. */
    default QueueConsumer.Settings settings(String queue) {
        return new QueueConsumer.Settings(queue, pollers(), waitTime(), drainTimeout(), visibilityTimeout());
    }
}
