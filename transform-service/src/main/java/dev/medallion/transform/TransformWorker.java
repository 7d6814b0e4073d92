package dev.medallion.transform;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.medallion.support.LakeConfig;
import dev.medallion.support.QueueConsumer;
import dev.medallion.support.Queues;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Polls the transform queue while the service runs; drains in-flight work on shutdown. */
@Singleton
public class TransformWorker {
    private final QueueConsumer consumer;

    public TransformWorker(SqsClient sqs, Queues queues, MeterRegistry metrics, LakeConfig lake,
            TransformConfig config, SilverPromoter promoter) {
        this.consumer = new QueueConsumer(sqs, queues, metrics, config.consumer().settings(lake.queues().transform()),
                QueueConsumer.lakeMessages(promoter::handle));
    }

    void start(@Observes StartupEvent event) {
        consumer.start();
    }

    void stop(@Observes ShutdownEvent event) {
        consumer.stop();
    }
}
