package dev.medallion.ingest;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.bronze.BodyRejectedException;
import dev.medallion.lake.bronze.SegmentHeader;
import dev.medallion.lake.ingest.BronzeBatcher;
import dev.medallion.lake.ingest.MemoryBudget;
import dev.medallion.lake.ingest.ProducerMessage;
import dev.medallion.lake.ingest.SegmentEncoder;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.support.LakeConfig;
import dev.medallion.support.QueueConsumer;
import dev.medallion.support.Queues;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Ingests the producer queue: each message becomes a segment of its dataset's batch, and is deleted only when the
 * Bronze object holding it is stored (its visibility is extended until then). Polling pauses while the memory budget
 * is nearly spent. A message that can never be ingested (no dataset, an unknown one, a body that is not records)
 * goes to the dead-letter queue with its reason; good messages in the same receive go through.
 */
@Singleton
public class ProducerQueueIngest {
    static final String SOURCE = "sqs";
    /** Polling pauses while less than this share of the memory budget is free. */
    private static final double ROOM_TO_POLL = 0.1;

    private final SegmentEncoder encoder;
    private final BronzeBatcher batcher;
    private final DatasetSpecs specs;
    private final IngestMetrics metrics;
    private final IngestConfig config;
    private final QueueConsumer consumer;

    public ProducerQueueIngest(SqsClient sqs, Queues queues, MeterRegistry registry, LakeConfig lake,
            IngestConfig config, SegmentEncoder encoder, BronzeBatcher batcher, MemoryBudget budget,
            DatasetSpecs specs, IngestMetrics metrics) {
        this.encoder = encoder;
        this.batcher = batcher;
        this.specs = specs;
        this.metrics = metrics;
        this.config = config;
        this.consumer = new QueueConsumer(sqs, queues, registry,
                config.sqs().consumer().settings(lake.queues().ingest()), this::ingest,
                () -> budget.hasRoom(ROOM_TO_POLL));
    }

    void start(@Observes StartupEvent event) {
        if (config.sqs().enabled()) {
            consumer.start();
        }
    }

    /** Quarkus has answered the HTTP requests in flight; now flush every batch, then settle the messages in it. */
    void stop(@Observes ShutdownEvent event) {
        consumer.stopReceiving();
        batcher.close();
        consumer.stop();
    }

    private CompletionStage<?> ingest(Message message) throws Exception {
        Map<String, String> attributes = message.messageAttributes().entrySet().stream()
                .filter(e -> e.getValue().stringValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().stringValue()));
        ProducerMessage parsed;
        try {
            parsed = ProducerMessage.parse(message.body(), message.messageId(), attributes,
                    config.sqs().defaultDataset());
            DatasetName.validate(parsed.dataset());
            if (specs.find(parsed.dataset()).isEmpty()) {
                throw new ValidationException("Cannot ingest message " + message.messageId() + ": dataset '"
                        + parsed.dataset() + "' is not configured");
            }
        } catch (ValidationException e) {
            metrics.rejected(attributes.get(ProducerMessage.DATASET_ATTRIBUTE), SOURCE, "invalid_message");
            throw e;
        }
        var header = new SegmentHeader(SOURCE, parsed.sourceId(), parsed.format(), sentAt(message));
        SegmentEncoder.Encoded encoded;
        try {
            encoded = encoder.encode(new ByteArrayInputStream(parsed.payload()), false, header, false, false);
        } catch (BodyRejectedException e) {
            metrics.rejected(parsed.dataset(), SOURCE, e.reason().label());
            throw e;
        }
        long records = encoded.scan().records();
        long bytes = encoded.scan().bytes();
        return batcher.add(parsed.dataset(), encoded.segment())
                .thenRun(() -> metrics.accepted(parsed.dataset(), SOURCE, records, bytes));
    }

    private static Instant sentAt(Message message) {
        String sent = message.attributesAsStrings().get("SentTimestamp");
        return sent == null ? Instant.now() : Instant.ofEpochMilli(Long.parseLong(sent));
    }
}
