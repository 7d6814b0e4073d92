package dev.medallion.catalog;

import dev.medallion.support.ConsumerConfig;
import io.smallrye.config.ConfigMapping;

/** catalog-service settings. */
@ConfigMapping(prefix = "medallion.catalog")
public interface CatalogConfig {

    /**
     * Polling of the catalog queue. This service runs one poller ({@code medallion.catalog.consumer.pollers=1} in
     * application.properties, overriding the shared default of 2): {@link dev.medallion.lake.catalog.EmbeddedCatalog}
     * numbers table versions by reading the newest and writing the next, which assumes one writer per table.
     */
    ConsumerConfig consumer();
}
