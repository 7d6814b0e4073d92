package dev.medallion.catalog;

import java.net.URI;
import java.util.Optional;

import dev.medallion.support.ConsumerConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** catalog-service settings. */
@ConfigMapping(prefix = "medallion.catalog")
public interface CatalogConfig {

    /**
     * Polling of the catalog queue. This service runs one poller ({@code medallion.catalog.consumer.pollers=1} in
     * application.properties, overriding the shared default of 2): {@link dev.medallion.lake.catalog.EmbeddedCatalog}
     * numbers table versions by reading the newest and writing the next, which assumes one writer per table.
     */
    ConsumerConfig consumer();

    /**
     * How often every configured table is rebuilt from storage ({@link CatalogResync}), e.g. {@code 1h}; {@code off}
     * disables it.
     */
    @WithDefault("1h")
    String resyncInterval();

    /** How long after start-up the first scheduled rebuild runs. */
    @WithDefault("1m")
    String resyncDelay();

    /** Where tables are kept: {@code embedded} (in the lake, no AWS needed) or {@code glue}. */
    @WithDefault("embedded")
    Backend backend();

    /** The Glue backend's settings. */
    Glue glue();

    enum Backend {
        EMBEDDED,
        GLUE
    }

    interface Glue {
        /** The account whose Data Catalog holds the tables (a cross-account catalog); the caller's own by default. */
        Optional<String> catalogId();

        /** Glue's region; by default the SDK's region chain ({@code AWS_REGION}, profile, instance metadata). */
        Optional<String> region();

        /** Another endpoint than Glue's regional one (a VPC endpoint, a test server). */
        Optional<URI> endpointOverride();

        /**
         * Static credentials, for tests; by default the SDK's credential chain (IAM roles for service accounts,
         * task roles, environment).
         */
        Optional<String> accessKeyId();

        Optional<String> secretAccessKey();
    }
}
