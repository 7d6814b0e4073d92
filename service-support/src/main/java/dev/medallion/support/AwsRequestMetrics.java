package dev.medallion.support;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts every S3 and SQS request by service, operation and HTTP status ({@code medallion.aws.requests}), the
 * figures behind the "S3 requests" and "S3 4xx errors" alerts. Named in {@code quarkus.s3.interceptors} and
 * {@code quarkus.sqs.interceptors}; the extension looks it up as a bean.
 */
@Singleton
@Unremovable
public class AwsRequestMetrics implements ExecutionInterceptor {
    private final MeterRegistry metrics;

    public AwsRequestMetrics(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        count(attributes, Integer.toString(context.httpResponse().statusCode()));
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable failure = context.exception();
        String status = failure instanceof AwsServiceException service ? Integer.toString(service.statusCode())
                : context.httpResponse().map(r -> Integer.toString(r.statusCode())).orElse("io_error");
        count(attributes, status);
    }

    private void count(ExecutionAttributes attributes, String status) {
        metrics.counter("medallion.aws.requests",
                "service", String.valueOf(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME)),
                "operation", String.valueOf(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME)),
                "status", status).increment();
    }
}
