package dev.medallion.catalog;

import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.medallion.lake.aws.GlueCatalog;
import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.catalog.Catalog;
import dev.medallion.lake.catalog.EmbeddedCatalog;
import dev.medallion.support.AwsRequestMetrics;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The catalog backend ({@code medallion.catalog.backend}): tables kept as Glue {@code TableInput} JSON under
 * {@code catalog/} in the lake bucket, or in AWS Glue. Glue requests are counted with the S3 and SQS ones
 * ({@code medallion_aws_requests_total{service="Glue"}}).
 */
public class CatalogProducers {

    @Produces
    @Singleton
    Catalog catalog(CatalogConfig config, S3ObjectStore store, AwsRequestMetrics requests) {
        if (config.backend() == CatalogConfig.Backend.EMBEDDED) {
            return new EmbeddedCatalog(store);
        }
        CatalogConfig.Glue glue = config.glue();
        Region region = glue.region().map(Region::of).orElseGet(() -> new DefaultAwsRegionProviderChain().getRegion());
        AwsCredentialsProvider credentials = glue.accessKeyId().isPresent() && glue.secretAccessKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(glue.accessKeyId().get(),
                        glue.secretAccessKey().get()))
                : DefaultCredentialsProvider.builder().build();
        return new GlueCatalog(GlueCatalog.client(UrlConnectionHttpClient.create(), region, credentials,
                glue.endpointOverride(), List.of(requests)), glue.catalogId());
    }
}
