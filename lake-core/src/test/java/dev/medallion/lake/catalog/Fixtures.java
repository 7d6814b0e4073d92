package dev.medallion.lake.catalog;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;

/** Dataset specs the catalog tests share. */
final class Fixtures {
    static final String BUCKET = "lake-bucket";

    private Fixtures() {
    }

    /** The sales dataset of the design brief. */
    static DatasetSpec sales() {
        return spec("""
                datasets:
                  sales:
                    event-time: ts
                    partitioning: day
                    key: order_id
                    unknown-fields: keep
                    catalog: { database: lake }
                    schema:
                      order_id:    { type: string, required: true }
                      customer_id: { type: string }
                      amount:      { type: "decimal(12,2)", required: true }
                      ts:          { type: timestamp, required: true }
                      items:       { type: "list<struct<sku:string,qty:int,price:decimal(12,2)>>" }
                """);
    }

    /** A small hourly dataset that drops unknown fields. */
    static DatasetSpec clicks() {
        return spec("""
                datasets:
                  clicks:
                    event-time: ts
                    partitioning: hour
                    unknown-fields: drop
                    schema:
                      url: string
                      ts:  { type: timestamp, required: true }
                """);
    }

    static DatasetSpec spec(String yaml) {
        return DatasetSpecs.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).all().iterator()
                .next();
    }
}
