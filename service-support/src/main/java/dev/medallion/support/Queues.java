package dev.medallion.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import dev.medallion.lake.message.LakeMessage;
import dev.medallion.lake.message.Messages;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** Sends messages to the pipeline's queues, resolving queue URLs once. */
@Singleton
public class Queues {
    private final SqsClient sqs;
    private final Map<String, String> urls = new ConcurrentHashMap<>();

    public Queues(SqsClient sqs) {
        this.sqs = sqs;
    }

    /** The URL of a queue by name. */
    public String url(String queueName) {
        return urls.computeIfAbsent(queueName, name -> sqs.getQueueUrl(b -> b.queueName(name)).queueUrl());
    }

    /** Sends a message; returns only when SQS has stored it. */
    public void send(String queueName, LakeMessage message) {
        sqs.sendMessage(b -> b.queueUrl(url(queueName)).messageBody(Messages.encode(message))
                .messageAttributes(Map.of("type", MessageAttributeValue.builder().dataType("String")
                        .stringValue(message.type()).build())));
    }
}
