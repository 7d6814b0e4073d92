package dev.medallion.catalog;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.catalog.EmbeddedCatalog;

/** The catalog backend: tables kept as Glue {@code TableInput} JSON under {@code catalog/} in the lake bucket. */
public class CatalogProducers {

    @Produces
    @Singleton
    EmbeddedCatalog embeddedCatalog(S3ObjectStore store) {
        return new EmbeddedCatalog(store);
    }
}
