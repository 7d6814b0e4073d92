package dev.medallion.lake.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.gold.GoldBuilder;
import dev.medallion.lake.journal.RunJournal;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.parquet.RowReader;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.ForwardingObjectStore;
import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.MutableClock;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
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

    private static final Duration LEASE = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock();
    private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
    private final List<TransformResult> announced = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final List<String> recovered = new ArrayList<>();
    private boolean announcementFails;
    private boolean crashOnAnnouncement;
    private DatasetSpec spec;
    private Promotion promotion;

    @BeforeEach
    void setUp() {
        spec = DatasetSpecs.parse(new ByteArrayInputStream(SPEC.getBytes(StandardCharsets.UTF_8))).find("sales")
                .orElseThrow();
        promotion = promotionOver(store);
    }

    /** A process's promotion over {@code lake}: what a restarted or another replica would build. */
    private Promotion promotionOver(ObjectStore lake) {
        return new Promotion(lake, new BronzeToSilver(lake),
                new GoldBuilder(lake, RowWriter.Settings.defaults(), 1000), Promotion.journal(lake, LEASE, clock),
                new Promotion.Listener() {
                    @Override
                    public void promoted(DatasetSpec s, TransformResult result, List<GoldBuilder.Rebuilt> gold,
                            Promotion.Stages took) {
                        if (announcementFails) {
                            throw new IllegalStateException("the catalog queue is unavailable");
                        }
                        if (crashOnAnnouncement) {
                            crashOnAnnouncement = false;
                            throw new Crash();
                        }
                        announced.add(result);
                    }

                    @Override
                    public void skippedAsPromoted(DatasetSpec s, String key) {
                        skipped.add(key);
                    }

                    @Override
                    public void recovered(DatasetSpec s, RunJournal.Intent run, boolean committed) {
                        recovered.add(run.runId() + (committed ? " finished" : " rolled back"));
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
    void aRunThatCannotBeAnnouncedIsFinishedByItsRetryWhichAddsNothing() throws IOException {
        putAAndB();
        announcementFails = true;

        assertThatThrownBy(() -> promotion.run(spec, List.of("bronze/sales/a.json")))
                .hasMessageContaining("catalog queue");
        assertThat(store.stat(LakeLayout.promotedKey("sales", "bronze/sales/a.json"))).isEmpty();

        announcementFails = false;
        promotion.run(spec, List.of("bronze/sales/b.json", "bronze/sales/a.json"));

        assertThat(recovered).singleElement().asString().endsWith("finished");
        assertThat(skipped).containsExactly("bronze/sales/a.json");
        assertThat(silverOrderIds()).containsExactlyInAnyOrder("a1", "a2", "b1");
        assertThat(keysUnder("quarantine/")).hasSize(1);
    }

    @Test
    void aRunKilledBeforeItCommittedIsRolledBackByTheNextRunSoItsRowsLandOnce() throws IOException {
        putAAndB();
        var crashing = new HookedStore();
        crashing.beforeSilverPublish = key -> {
            if (crashing.published++ == 1) {
                throw new Crash(); // the second Silver object: the first is already visible
            }
        };

        assertThatThrownBy(() -> promotionOver(crashing).run(spec, List.of("bronze/sales/a.json")))
                .isInstanceOf(Crash.class);
        assertThat(keysUnder("silver/")).hasSize(1);
        assertThat(intentsLeft()).hasSize(1);

        clock.advanceSeconds(LEASE.toSeconds() + 1); // the events come back after the visibility timeout
        promotionOver(store).run(spec, List.of("bronze/sales/b.json", "bronze/sales/a.json"));

        assertThat(recovered).singleElement().asString().endsWith("rolled back");
        assertThat(silverOrderIds()).containsExactlyInAnyOrder("a1", "a2", "b1");
        assertThat(intentsLeft()).isEmpty();
    }

    @Test
    void aRunKilledAfterItCommittedIsFinishedByTheNextRunAndNotPromotedAgain() throws IOException {
        putAAndB();
        crashOnAnnouncement = true;

        assertThatThrownBy(() -> promotion.run(spec, List.of("bronze/sales/a.json"))).isInstanceOf(Crash.class);
        assertThat(store.stat(LakeLayout.promotedKey("sales", "bronze/sales/a.json"))).isEmpty();

        promotionOver(store).run(spec, List.of("bronze/sales/b.json", "bronze/sales/a.json"));

        assertThat(recovered).singleElement().asString().endsWith("finished");
        assertThat(announced).extracting(TransformResult::sources).containsExactly(
                List.of("bronze/sales/a.json"), List.of("bronze/sales/b.json"));
        assertThat(skipped).containsExactly("bronze/sales/a.json");
        assertThat(silverOrderIds()).containsExactlyInAnyOrder("a1", "a2", "b1");
        assertThat(intentsLeft()).isEmpty();
    }

    @Test
    void anObjectInAnotherProcesssLiveRunWaitsUntilThatRunEndsOrExpires() throws IOException {
        putAAndB();
        Promotion.journal(store, LEASE, clock).begin("sales", LakeLayout.runId(List.of("bronze/sales/a.json")),
                List.of(new RunJournal.Source("bronze/sales/a.json", 1, clock.instant())));

        Map<String, Exception> failed = promotion.run(spec, List.of("bronze/sales/a.json", "bronze/sales/b.json"));

        assertThat(failed).containsOnlyKeys("bronze/sales/a.json");
        assertThat(failed.get("bronze/sales/a.json")).isInstanceOf(LakeException.class)
                .hasMessageContaining("another process is promoting it");
        assertThat(silverOrderIds()).containsExactly("b1");

        clock.advanceSeconds(LEASE.toSeconds() + 1); // that process died
        assertThat(promotion.run(spec, List.of("bronze/sales/a.json"))).isEmpty();
        assertThat(recovered).singleElement().asString().endsWith("rolled back");
        assertThat(silverOrderIds()).containsExactlyInAnyOrder("a1", "a2", "b1");
    }

    @Test
    void aRunTooSlowToBeatIsAbandonedByAnotherProcessAndCannotCommitAfterwards() throws IOException {
        putAAndB();
        var slow = new HookedStore();
        slow.beforeSilverPublish = key -> {
            if (slow.published++ == 1) {
                // stalled past the lease: another replica promoting b finds this run expired and abandons it
                clock.advanceSeconds(LEASE.toSeconds() + 1);
                promotionOver(store).run(spec, List.of("bronze/sales/b.json"));
            }
        };

        assertThatThrownBy(() -> promotionOver(slow).run(spec, List.of("bronze/sales/a.json")))
                .isInstanceOf(LakeException.class).hasMessageContaining("abandoned");

        assertThat(recovered).singleElement().asString().endsWith("rolled back");
        assertThat(silverOrderIds()).containsExactly("b1");
        assertThat(store.stat(LakeLayout.promotedKey("sales", "bronze/sales/a.json"))).isEmpty();
        assertThat(intentsLeft()).isEmpty();

        promotion.run(spec, List.of("bronze/sales/a.json"));
        assertThat(silverOrderIds()).containsExactlyInAnyOrder("a1", "a2", "b1");
    }

    /** a: two rows on two days (two Silver files) and a bad line; b: one row. */
    private void putAAndB() throws IOException {
        put("bronze/sales/a.json", "{\"order_id\":\"a1\",\"ts\":\"2026-11-01T00:00:00Z\"}\n"
                + "{\"order_id\":\"a2\",\"ts\":\"2026-11-02T00:00:00Z\"}\nnot json\n");
        put("bronze/sales/b.json", "{\"order_id\":\"b1\",\"ts\":\"2026-11-01T01:00:00Z\"}\n");
    }

    /** Stands for the process dying: nothing after it runs, no cleanup included. */
    private static final class Crash extends Error {
        Crash() {
            super("killed");
        }
    }

    /** The same lake, with a hook that runs before each Silver object becomes visible. */
    private final class HookedStore extends ForwardingObjectStore {
        Consumer<String> beforeSilverPublish = key -> {
        };
        int published;

        HookedStore() {
            super(store);
        }

        @Override
        public ObjectWriter create(String key, Map<String, String> metadata) {
            ObjectWriter out = store.create(key, metadata);
            if (!key.startsWith("silver/")) {
                return out;
            }
            return new ForwardingWriter(out) {
                @Override
                public void close() throws IOException {
                    beforeSilverPublish.accept(key);
                    out.close();
                }
            };
        }
    }

    private List<String> intentsLeft() {
        return keysUnder("_state/transform/runs/").stream().filter(k -> k.endsWith(".json")).toList();
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

    @Test
    void aFileWrittenIntoAGenerationCompactionLeftMeanwhileIsCopiedIntoTheCurrentOneAndAnnouncedThere()
            throws IOException {
        DatasetSpec registered = DatasetSpecs.parse(new ByteArrayInputStream(SPEC.replace("    event-time: ts\n",
                "    event-time: ts\n    catalog: { database: lake, partitions: registered }\n")
                .getBytes(StandardCharsets.UTF_8))).find("sales").orElseThrow();
        String day = "year=2026/month=11/day=01";
        Generations generations = new Generations(store);
        generations.save(registered, new Generations.Pointer(day, "g1", List.of()));
        ObjectStore compactedMeanwhile = new ForwardingObjectStore(store) {
            @Override
            public boolean createIfAbsent(String key, byte[] content) {
                if (key.endsWith(".decision") && generations.current(registered, day).equals("g1")) {
                    generations.save(registered, new Generations.Pointer(day, "g2",
                            List.of(new Generations.Retired("g1", clock.instant(), List.of()))));
                }
                return super.createIfAbsent(key, content);
            }
        };
        put("bronze/sales/a.json", "{\"order_id\":\"a\",\"ts\":\"2026-11-01T00:00:00Z\"}\n");

        promotionOver(compactedMeanwhile).run(registered, List.of("bronze/sales/a.json"));

        String announcedKey = announced.get(0).files().get(0).key();
        assertThat(announcedKey).startsWith("silver/sales/" + day + "/_gen=g2/part-");
        assertThat(silverKeys()).containsExactlyInAnyOrder(announcedKey, announcedKey.replace("_gen=g2", "_gen=g1"));
        try (var reader = new RowReader(store, store.stat(announcedKey).orElseThrow(),
                List.of(SilverColumns.of(registered).get(0)))) {
            assertThat(reader.next()).containsExactly("a");
        }
    }

    private void put(String key, String text) throws IOException {
        try (ObjectWriter out = store.create(key, Map.of())) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private List<String> silverKeys() {
        return keysUnder("silver/");
    }
}
