package dev.medallion.lake.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.gold.GoldBuilder;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectWriter;
import dev.medallion.lake.store.SupportsPrefixListing;

class PromotionTest {
    private static final String SPEC = """
            datasets:
              sales:
                event-time: ts
                schema:
                  order_id: { type: string, required: true }
                  ts:       { type: timestamp, required: true }
            """;

    private final MutableClock clock = new MutableClock();
    private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
    private final List<TransformResult> announced = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private DatasetSpec spec;
    private Promotion promotion;

    @BeforeEach
    void setUp() {
        spec = DatasetSpecs.parse(new ByteArrayInputStream(SPEC.getBytes(StandardCharsets.UTF_8))).find("sales")
                .orElseThrow();
        promotion = new Promotion(store, new BronzeToSilver(store),
                new GoldBuilder(store, RowWriter.Settings.defaults(), 1000), new Promotion.Listener() {
                    @Override
                    public void promoted(DatasetSpec s, TransformResult result, List<GoldBuilder.Rebuilt> gold,
                            Promotion.Stages took) {
                        announced.add(result);
                    }

                    @Override
                    public void skippedAsPromoted(DatasetSpec s, String key) {
                        skipped.add(key);
                    }
                }, clock);
    }

    @Test
    void promotesSeveralObjectsInOneRunAndReportsAMissingOneAlone() throws IOException {
        put("bronze/sales/a.json", "{\"order_id\":\"a\",\"ts\":\"2026-11-01T00:00:00Z\"}\n");
        put("bronze/sales/b.json", "{\"order_id\":\"b\",\"ts\":\"2026-11-01T01:00:00Z\"}\n");

        Map<String, Exception> failed = promotion.run(spec,
                List.of("bronze/sales/a.json", "bronze/sales/gone.json", "bronze/sales/b.json"));

        assertThat(failed).containsOnlyKeys("bronze/sales/gone.json");
        assertThat(failed.get("bronze/sales/gone.json")).isInstanceOf(ObjectNotFoundException.class);
        assertThat(announced).hasSize(1);
        assertThat(announced.get(0).sources()).containsExactly("bronze/sales/a.json", "bronze/sales/b.json");
        assertThat(announced.get(0).files()).hasSize(1); // one partition, one file for both objects
        assertThat(announced.get(0).rowsWritten()).isEqualTo(2);
    }

    @Test
    void aRedeliveredEventSkipsWhatWasPromotedButANewVersionIsPromotedAgain() throws IOException {
        put("bronze/sales/a.json", "{\"order_id\":\"a\",\"ts\":\"2026-11-01T00:00:00Z\"}\n");
        promotion.run(spec, List.of("bronze/sales/a.json"));
        List<String> silverAfterFirst = silverKeys();

        promotion.run(spec, List.of("bronze/sales/a.json"));

        assertThat(announced).hasSize(1);
        assertThat(skipped).containsExactly("bronze/sales/a.json");
        assertThat(silverKeys()).isEqualTo(silverAfterFirst);

        clock.advanceSeconds(60);
        put("bronze/sales/a.json", "{\"order_id\":\"a2\",\"ts\":\"2026-11-01T00:00:00Z\"}\n"
                + "{\"order_id\":\"a3\",\"ts\":\"2026-11-01T00:00:00Z\"}\n");
        promotion.run(spec, List.of("bronze/sales/a.json"));

        assertThat(announced).hasSize(2);
        assertThat(announced.get(1).rowsWritten()).isEqualTo(2);
    }

    private void put(String key, String text) throws IOException {
        try (ObjectWriter out = store.create(key, Map.of())) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private List<String> silverKeys() {
        return ((SupportsPrefixListing) store).list("silver/").map(info -> info.key()).sorted().toList();
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-24T10:00:00Z");

        void advanceSeconds(long seconds) {
            now = now.plusSeconds(seconds);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
