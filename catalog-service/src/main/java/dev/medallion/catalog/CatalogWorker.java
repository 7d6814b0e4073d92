package dev.medallion.catalog;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.medallion.support.LakeConfig;
import dev.medallion.support.QueueConsumer;
import dev.medallion.support.Queues;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Polls the catalog queue while the service runs; drains in-flight work on shutdown. */
@Singleton
public class CatalogWorker {
    private final QueueConsumer consumer;

    public CatalogWorker(SqsClient sqs, Queues queues, MeterRegistry metrics, LakeConfig lake, CatalogConfig config,
            CatalogUpdater updater) {
        this.consumer = new QueueConsumer(sqs, queues, metrics, config.consumer().settings(lake.queues().catalog()),
                QueueConsumer.lakeMessages(updater::handle));
    }

    void start(@Observes StartupEvent event) {
        consumer.start();
    }

    void stop(@Observes ShutdownEvent event) {
        consumer.stop();
    }
}
