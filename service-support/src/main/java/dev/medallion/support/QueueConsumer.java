package dev.medallion.support;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.ValidationException;
import dev.medallion.lake.bronze.BodyRejectedException;
import dev.medallion.lake.message.LakeMessage;
import dev.medallion.lake.message.Messages;
import dev.medallion.lake.store.ObjectNotFoundException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Long-polls one queue with a few threads and hands each message to a handler. A message is deleted only after the
 * work its handler started has completed, so a crash means redelivery, never loss; work may finish later than the
 * handler returns (ingest buffers messages until their Bronze object is stored), and the message is kept hidden
 * until then. Failures are classified once, here: a message that cannot succeed however often it is retried (not a
 * message we understand, or naming an object that does not exist) goes straight to the queue's dead-letter queue
 * with its reason; anything else is left for redelivery after the visibility timeout, and the queue's redrive
 * policy moves it to the dead-letter queue after repeated failures.
 */
public final class QueueConsumer {
    private static final Logger LOG = Logger.getLogger(QueueConsumer.class);
    /** SQS's limit for batch requests and for one receive. */
    private static final int BATCH = 10;
    /** How often the queue's and its dead-letter queue's depth are read. */
    private static final Duration DEPTH_PERIOD = Duration.ofSeconds(30);

    /**
     * Starts the work for one message; the returned stage completes when the work is done. Throwing, or failing the
     * stage, means "not done".
     */
    @FunctionalInterface
    public interface Handler {
        CompletionStage<?> handle(Message message) throws Exception;
    }

    /** Does the work for one pipeline message on the polling thread; throwing means "not done". */
    @FunctionalInterface
    public interface LakeMessageHandler {
        void handle(LakeMessage message) throws Exception;
    }

    /** A handler that decodes each message as a {@link LakeMessage} and does its work before returning. */
    public static Handler lakeMessages(LakeMessageHandler handler) {
        return message -> {
            handler.handle(Messages.decode(message.body()));
            return CompletableFuture.completedFuture(null);
        };
    }

    /**
     * @param queue the queue name
     * @param pollers polling threads
     * @param waitTime long-poll wait per receive (also bounds how long shutdown waits for a poll to return)
     * @param drainTimeout how long shutdown waits for in-flight messages to finish
     * @param visibilityTimeout how long a received message stays hidden; extended while it is held, so long work is
     *        never handed to a second consumer, and a crash makes it visible again within this time
     */
    public record Settings(String queue, int pollers, Duration waitTime, Duration drainTimeout,
            Duration visibilityTimeout) {
    }

    private final SqsClient sqs;
    private final Queues queues;
    private final Settings settings;
    private final Handler handler;
    private final BooleanSupplier canTakeMore;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final AtomicLong lagMillis = new AtomicLong();
    /** Messages waiting in the queue and in its dead-letter queue, as SQS last reported them; -1 until then. */
    private final AtomicLong waiting = new AtomicLong(-1);
    private final AtomicLong deadLettered = new AtomicLong(-1);
    private final Timer duration;
    /** Receipt handles of received messages not yet finished, whose visibility the heartbeat extends. */
    private final Map<String, Boolean> held = new ConcurrentHashMap<>();
    private volatile boolean running;
    private ExecutorService pollers;
    /** Deletes and dead-letters finished messages, off the threads that finished their work. */
    private ExecutorService settlers;
    private ScheduledExecutorService heartbeat;

    /**
     * @param canTakeMore polled before each receive; while false, polling pauses (the handler's buffers are full)
     */
    public QueueConsumer(SqsClient sqs, Queues queues, MeterRegistry metrics, Settings settings, Handler handler,
            BooleanSupplier canTakeMore) {
        this.sqs = sqs;
        this.queues = queues;
        this.settings = settings;
        this.handler = handler;
        this.canTakeMore = canTakeMore;
        this.metrics = metrics;
        this.clock = Clock.systemUTC();
        Tags tags = Tags.of("queue", settings.queue());
        metrics.gauge("medallion.queue.lag.seconds", tags, lagMillis, v -> v.get() / 1000.0);
        metrics.gauge("medallion.queue.held.messages", tags, held, Map::size);
        metrics.gauge("medallion.queue.depth.messages", tags, waiting, QueueConsumer::known);
        metrics.gauge("medallion.queue.dead.letter.messages", tags, deadLettered, QueueConsumer::known);
        this.duration = Timer.builder("medallion.queue.handling").tags(tags)
                .description("Time from receiving a message to finishing its work").publishPercentileHistogram()
                .register(metrics);
    }

    public QueueConsumer(SqsClient sqs, Queues queues, MeterRegistry metrics, Settings settings, Handler handler) {
        this(sqs, queues, metrics, settings, handler, () -> true);
    }

    /** Starts polling. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        pollers = Executors.newFixedThreadPool(settings.pollers(), r -> {
            Thread thread = new Thread(r, "poll-" + settings.queue());
            thread.setDaemon(false);
            return thread;
        });
        settlers = Executors.newFixedThreadPool(settings.pollers(), r -> {
            Thread thread = new Thread(r, "settle-" + settings.queue());
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < settings.pollers(); i++) {
            pollers.submit(this::pollLoop);
        }
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "heartbeat-" + settings.queue());
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(200, settings.visibilityTimeout().toMillis() / 3);
        heartbeat.scheduleAtFixedRate(this::extendHeld, period, period, TimeUnit.MILLISECONDS);
        heartbeat.scheduleWithFixedDelay(this::measureDepth, 0, DEPTH_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        // %s, not %d: a number pattern loads the locale's number symbols, a cost native start-up need not pay
        LOG.infof("Polling %s with %s threads", settings.queue(), settings.pollers());
    }

    /** Stops receiving new messages; work already started goes on (see {@link #stop()}). */
    public synchronized void stopReceiving() {
        if (!running) {
            return;
        }
        running = false;
        pollers.shutdown();
        try {
            if (!pollers.awaitTermination(settings.drainTimeout().toMillis() + settings.waitTime().toMillis(),
                    TimeUnit.MILLISECONDS)) {
                pollers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops receiving and waits for messages in flight to finish, so shutdown loses no work. */
    public synchronized void stop() {
        if (heartbeat == null) {
            return;
        }
        stopReceiving();
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        while (!held.isEmpty() && System.nanoTime() < deadline) {
            sleep(50);
        }
        if (!held.isEmpty()) {
            LOG.warnf("Stopped %s with %d messages in flight; they will be redelivered", settings.queue(),
                    held.size());
        }
        heartbeat.shutdownNow();
        heartbeat = null;
        settlers.shutdown();
        LOG.infof("Stopped polling %s", settings.queue());
    }

    /**
     * Reads how many messages wait in the queue and in its dead-letter queue: what alerts on work queued without
     * progress, and on dead letters, need (SQS's figures are approximate and a minute late at most).
     */
    private void measureDepth() {
        try {
            waiting.set(visibleMessages(settings.queue()));
            deadLettered.set(visibleMessages(settings.queue() + "-dlq"));
        } catch (RuntimeException e) {
            LOG.debugf("Cannot read the depth of %s: %s", settings.queue(), e.toString());
        }
    }

    private long visibleMessages(String queue) {
        return Long.parseLong(sqs.getQueueAttributes(b -> b.queueUrl(queues.url(queue))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"));
    }

    private static double known(AtomicLong value) {
        return value.get() < 0 ? Double.NaN : value.get();
    }

    private void pollLoop() {
        while (running) {
            if (!canTakeMore.getAsBoolean()) {
                sleep(20); // backpressure: nothing is received until the handler has room again
                continue;
            }
            try {
                List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queues.url(settings.queue()))
                        .maxNumberOfMessages(BATCH)
                        .waitTimeSeconds((int) settings.waitTime().toSeconds())
                        .visibilityTimeout(visibilitySeconds())
                        .messageAttributeNames("All")
                        .messageSystemAttributeNames(MessageSystemAttributeName.SENT_TIMESTAMP,
                                MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                        .messages();
                recordLag(batch);
                handleBatch(batch);
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("Cannot receive from %s, retrying: %s", settings.queue(), e.toString());
                    sleep(1000);
                }
            }
        }
    }

    /** Starts every message's work, then settles the batch (one delete request) when all of it has finished. */
    private void handleBatch(List<Message> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(batch.size());
        for (Message message : batch) {
            held.put(message.receiptHandle(), Boolean.TRUE);
            Timer.Sample sample = Timer.start(metrics);
            CompletionStage<?> work;
            try {
                work = handler.handle(message);
            } catch (Exception e) {
                work = CompletableFuture.failedFuture(e);
            }
            outcomes.add(work.toCompletableFuture().handle((result, failure) -> {
                sample.stop(duration);
                return new Outcome(message, unwrap(failure));
            }));
        }
        CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenRunAsync(() -> settle(outcomes.stream().map(CompletableFuture::join).toList()), settlers);
    }

    private record Outcome(Message message, Throwable failure) {
    }

    private void settle(List<Outcome> outcomes) {
        try {
            List<Message> done = new ArrayList<>();
            for (Outcome outcome : outcomes) {
                Message message = outcome.message();
                Throwable failure = outcome.failure();
                if (failure == null) {
                    done.add(message);
                } else if (failure instanceof ValidationException || failure instanceof ObjectNotFoundException) {
                    LOG.errorf("Poison message %s on %s, moving it to the dead-letter queue: %s",
                            message.messageId(), settings.queue(), loggable(failure));
                    deadLetter(message, failure);
                    done.add(message);
                    count("dead_lettered");
                } else {
                    String receives = message.attributes()
                            .getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1");
                    LOG.warnf(failure instanceof LakeException ? null : failure,
                            "Cannot handle message %s on %s (receive %s); it will be redelivered: %s",
                            message.messageId(), settings.queue(), receives, failure.getMessage());
                    held.remove(message.receiptHandle());
                    count("retried");
                }
            }
            delete(done);
            metrics.counter("medallion.queue.messages", "queue", settings.queue(), "outcome", "processed")
                    .increment(outcomes.stream().filter(o -> o.failure() == null).count());
        } catch (RuntimeException e) {
            // not deleted: the messages come back after their visibility timeout and their work is redone
            LOG.warnf("Cannot settle %d messages on %s; they will be redelivered: %s", outcomes.size(),
                    settings.queue(), e.toString());
        } finally {
            outcomes.forEach(o -> held.remove(o.message().receiptHandle()));
        }
    }

    /**
     * The reason, fit for a log: a rejected body's reason code and position only, since the parser's message may
     * quote the record (the dead-letter copy carries the full reason).
     */
    private static String loggable(Throwable failure) {
        if (failure instanceof BodyRejectedException rejected) {
            return rejected.reason().label() + " (record " + rejected.position() + ")";
        }
        return failure.getMessage();
    }

    private static Throwable unwrap(Throwable failure) {
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }

    private void deadLetter(Message message, Throwable reason) {
        String text = reason.getMessage() == null ? reason.getClass().getSimpleName() : reason.getMessage();
        sqs.sendMessage(b -> b.queueUrl(queues.url(settings.queue() + "-dlq")).messageBody(message.body())
                .messageAttributes(Map.of(
                        "error", MessageAttributeValue.builder().dataType("String")
                                .stringValue(text.length() > 1000 ? text.substring(0, 1000) : text).build(),
                        "source-queue", MessageAttributeValue.builder().dataType("String")
                                .stringValue(settings.queue()).build())));
    }

    private void delete(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                    .receiptHandle(messages.get(i).receiptHandle()).build());
        }
        var failed = sqs.deleteMessageBatch(b -> b.queueUrl(queues.url(settings.queue())).entries(entries)).failed();
        if (!failed.isEmpty()) {
            LOG.warnf("Cannot delete %d messages from %s (they will be redelivered): %s", failed.size(),
                    settings.queue(), failed.get(0).message());
        }
    }

    /** Keeps every held message hidden for another visibility timeout. */
    private void extendHeld() {
        List<String> receipts = List.copyOf(held.keySet());
        for (int from = 0; from < receipts.size(); from += BATCH) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(BATCH);
            for (int i = from; i < Math.min(receipts.size(), from + BATCH); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i - from))
                        .receiptHandle(receipts.get(i)).visibilityTimeout(visibilitySeconds()).build());
            }
            try {
                sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queues.url(settings.queue())).entries(entries));
            } catch (RuntimeException e) {
                LOG.warnf("Cannot extend the visibility of messages on %s: %s", settings.queue(), e.toString());
            }
        }
    }

    private int visibilitySeconds() {
        return (int) Math.max(1, settings.visibilityTimeout().toSeconds());
    }

    private void recordLag(List<Message> batch) {
        long oldest = batch.stream()
                .map(m -> m.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP))
                .filter(t -> t != null)
                .mapToLong(Long::parseLong)
                .min().orElse(clock.millis());
        lagMillis.set(Math.max(0, clock.millis() - oldest));
    }

    private void count(String outcome) {
        metrics.counter("medallion.queue.messages", "queue", settings.queue(), "outcome", outcome).increment();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
