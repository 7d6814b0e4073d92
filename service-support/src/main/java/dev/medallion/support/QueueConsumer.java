package dev.medallion.support;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.ValidationException;
import dev.medallion.lake.message.LakeMessage;
import dev.medallion.lake.message.Messages;
import dev.medallion.lake.store.ObjectNotFoundException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Long-polls one queue with a few threads and hands each message to a handler. A message is deleted only after its
 * handler returns, so a crash means redelivery, never loss. Failures are classified once, here: a message that
 * cannot succeed however often it is retried (not a message we understand, or naming an object that does not
 * exist) goes straight to the queue's dead-letter queue with its reason; anything else is left for redelivery after
 * the visibility timeout, and the queue's redrive policy moves it to the dead-letter queue after repeated failures.
 */
public final class QueueConsumer {
    private static final Logger LOG = Logger.getLogger(QueueConsumer.class);

    /** Does the work for one message; throwing means "not done". */
    @FunctionalInterface
    public interface Handler {
        void handle(LakeMessage message) throws Exception;
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
    private final MeterRegistry metrics;
    private final Clock clock;
    private final AtomicLong lagMillis = new AtomicLong();
    private final Timer duration;
    /** Receipt handles of received messages not yet finished, whose visibility the heartbeat extends. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private ExecutorService pollers;
    private ScheduledExecutorService heartbeat;

    public QueueConsumer(SqsClient sqs, Queues queues, MeterRegistry metrics, Settings settings, Handler handler) {
        this.sqs = sqs;
        this.queues = queues;
        this.settings = settings;
        this.handler = handler;
        this.metrics = metrics;
        this.clock = Clock.systemUTC();
        Tags tags = Tags.of("queue", settings.queue());
        metrics.gauge("medallion.queue.lag.seconds", tags, lagMillis, v -> v.get() / 1000.0);
        this.duration = Timer.builder("medallion.queue.handling").tags(tags)
                .description("Time to handle one message").publishPercentileHistogram().register(metrics);
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
        LOG.infof("Polling %s with %d threads", settings.queue(), settings.pollers());
    }

    /** Stops polling and waits for messages in flight to finish, so shutdown loses no work. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        pollers.shutdown();
        try {
            if (!pollers.awaitTermination(settings.drainTimeout().toMillis() + settings.waitTime().toMillis(),
                    TimeUnit.MILLISECONDS)) {
                LOG.warnf("Stopped %s with work in flight; it will be redelivered", settings.queue());
                pollers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeat.shutdownNow();
        LOG.infof("Stopped polling %s", settings.queue());
    }

    private void pollLoop() {
        while (running) {
            try {
                List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queues.url(settings.queue()))
                        .maxNumberOfMessages(10)
                        .waitTimeSeconds((int) settings.waitTime().toSeconds())
                        .visibilityTimeout(visibilitySeconds())
                        .messageSystemAttributeNames(MessageSystemAttributeName.SENT_TIMESTAMP,
                                MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                        .messages();
                recordLag(batch);
                batch.forEach(m -> held.add(m.receiptHandle()));
                for (Message message : batch) {
                    try {
                        handleOne(message);
                    } finally {
                        held.remove(message.receiptHandle());
                    }
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("Cannot receive from %s, retrying: %s", settings.queue(), e.toString());
                    pause();
                }
            }
        }
    }

    private void handleOne(Message message) {
        String receives = message.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                "1");
        Timer.Sample sample = Timer.start(metrics);
        LakeMessage decoded = null;
        try {
            decoded = Messages.decode(message.body());
            handler.handle(decoded);
            delete(message);
            count("processed");
        } catch (ValidationException | ObjectNotFoundException e) {
            LOG.errorf("Poison message %s on %s (%s), moving it to the dead-letter queue: %s", message.messageId(),
                    settings.queue(), decoded == null ? "undecodable" : decoded.type(), e.getMessage());
            deadLetter(message, e);
            count("dead_lettered");
        } catch (Exception e) {
            LOG.warnf(e instanceof LakeException ? null : e, "Cannot handle message %s on %s (receive %s); it will "
                    + "be redelivered: %s", message.messageId(), settings.queue(), receives, e.getMessage());
            count("retried");
        } finally {
            sample.stop(duration);
        }
    }

    private void deadLetter(Message message, Exception reason) {
        String text = reason.getMessage() == null ? reason.getClass().getSimpleName() : reason.getMessage();
        sqs.sendMessage(b -> b.queueUrl(queues.url(settings.queue() + "-dlq")).messageBody(message.body())
                .messageAttributes(Map.of(
                        "error", MessageAttributeValue.builder().dataType("String")
                                .stringValue(text.length() > 1000 ? text.substring(0, 1000) : text).build(),
                        "source-queue", MessageAttributeValue.builder().dataType("String")
                                .stringValue(settings.queue()).build())));
        delete(message);
    }

    private void delete(Message message) {
        sqs.deleteMessage(b -> b.queueUrl(queues.url(settings.queue())).receiptHandle(message.receiptHandle()));
    }

    /** Keeps every held message hidden for another visibility timeout. */
    private void extendHeld() {
        for (String receipt : held) {
            try {
                sqs.changeMessageVisibility(b -> b.queueUrl(queues.url(settings.queue())).receiptHandle(receipt)
                        .visibilityTimeout(visibilitySeconds()));
            } catch (RuntimeException e) {
                LOG.warnf("Cannot extend the visibility of a message on %s: %s", settings.queue(), e.toString());
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

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
