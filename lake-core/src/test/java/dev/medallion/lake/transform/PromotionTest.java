package dev.medallion.lake.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.gold.GoldBuilder;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.parquet.RowReader;
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
    private boolean announcementFails;
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
                        if (announcementFails) {
                            throw new IllegalStateException("the catalog queue is unavailable");
                        }
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

    @Test
    void aRunThatCannotBeAnnouncedIsUndoneSoTheRetryAddsEachRowOnceHoweverItIsCombined() throws IOException {
        put("bronze/sales/a.json", "{\"order_id\":\"a1\",\"ts\":\"2026-11-01T00:00:00Z\"}\n"
                + "{\"order_id\":\"a2\",\"ts\":\"2026-11-02T00:00:00Z\"}\nnot json\n");
        put("bronze/sales/b.json", "{\"order_id\":\"b1\",\"ts\":\"2026-11-01T01:00:00Z\"}\n");
        announcementFails = true;

        assertThatThrownBy(() -> promotion.run(spec, List.of("bronze/sales/a.json")))
                .hasMessageContaining("catalog queue");

        assertThat(keysUnder("silver/")).isEmpty();
        assertThat(keysUnder("quarantine/")).isEmpty();
        assertThat(store.stat(LakeLayout.promotedKey("sales", "bronze/sales/a.json"))).isEmpty();

        announcementFails = false;
        promotion.run(spec, List.of("bronze/sales/b.json", "bronze/sales/a.json"));

        assertThat(silverOrderIds()).containsExactlyInAnyOrder("a1", "a2", "b1");
        assertThat(keysUnder("quarantine/")).hasSize(1);
    }

    private List<String> keysUnder(String prefix) {
        return ((SupportsPrefixListing) store).list(prefix).map(info -> info.key()).sorted().toList();
    }

    private List<String> silverOrderIds() {
        List<String> ids = new ArrayList<>();
        for (String key : keysUnder("silver/")) {
            try (var reader = new RowReader(store, key, SilverColumns.of(spec).subList(0, 1))) {
                for (Object[] row = reader.next(); row != null; row = reader.next()) {
                    ids.add((String) row[0]);
                }
            }
        }
        return ids;
    }

    private void put(String key, String text) throws IOException {
        try (ObjectWriter out = store.create(key, Map.of())) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private List<String> silverKeys() {
        return keysUnder("silver/");
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
