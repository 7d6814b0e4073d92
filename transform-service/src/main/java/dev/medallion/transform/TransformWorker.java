package dev.medallion.transform;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.medallion.lake.transform.SourceBatcher;
import dev.medallion.lake.transform.TransformEvents;
import dev.medallion.lake.transform.TransformEvents.BronzeSource;
import dev.medallion.support.LakeConfig;
import dev.medallion.support.QueueConsumer;
import dev.medallion.support.Queues;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Polls the transform queue while the service runs. Each message names Bronze objects ({@link TransformEvents}); they
 * are combined per dataset into runs ({@link SourceBatcher}), and a message is deleted once every object it names has
 * been promoted. On shutdown, polling stops, the open batches run, then the messages are settled.
 */
@Singleton
public class TransformWorker {
    private static final Logger LOG = Logger.getLogger(TransformWorker.class);

    private final QueueConsumer consumer;
    private final SourceBatcher batcher;
    private final SilverPromoter promoter;
    private final LakeConfig lake;
    private final TransformConfig config;

    public TransformWorker(SqsClient sqs, Queues queues, MeterRegistry metrics, LakeConfig lake,
            TransformConfig config, SilverPromoter promoter) {
        this.promoter = promoter;
        this.lake = lake;
        this.config = config;
        this.batcher = new SourceBatcher(new SourceBatcher.Limits(config.batch().maxSources(),
                config.batch().maxBytes(), config.batch().linger()), promoter::promote);
        // enough held messages to fill the next run while one runs; more would only wait
        int maxPending = 2 * config.batch().maxSources();
        this.consumer = new QueueConsumer(sqs, queues, metrics, config.consumer().settings(lake.queues().transform()),
                this::handle, () -> batcher.pending() < maxPending);
    }

    void start(@Observes StartupEvent event) {
        consumer.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        consumer.stopReceiving();
        if (!batcher.close(config.consumer().drainTimeout())) {
            LOG.warn("Shutting down with a run still in progress; its messages will be delivered again");
        }
        consumer.stop();
    }

    private CompletionStage<?> handle(Message message) {
        List<BronzeSource> sources = TransformEvents.parse(message.body(), lake.lake().bucket());
        sources.forEach(source -> promoter.spec(source.dataset(), source.key())); // refuse unknown datasets now
        return CompletableFuture.allOf(sources.stream()
                .map(source -> batcher.submit(source.dataset(), source.key(), source.bytes()))
                .toArray(CompletableFuture[]::new));
    }
}
