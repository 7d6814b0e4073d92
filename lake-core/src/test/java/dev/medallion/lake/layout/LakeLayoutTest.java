package dev.medallion.lake.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.bronze.BronzeFormat;
import dev.medallion.lake.catalog.Partition;
import dev.medallion.lake.record.RecordError;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.Granularity;
import dev.medallion.lake.spec.UnknownFieldPolicy;
import dev.medallion.lake.store.ObjectKeys;

class LakeLayoutTest {
    private static final Instant RECEIVED = Instant.parse("2024-03-07T05:06:07.890Z");

    private static DatasetSpec spec(String name, Granularity granularity) {
        return new DatasetSpec(name, "ts", granularity, Optional.empty(), UnknownFieldPolicy.KEEP,
                List.of(new FieldType.Field("ts", FieldType.Primitive.TIMESTAMP, true)), "lake");
    }

    @Test
    void bronzeKeyFollowsTheLayoutInUtc() {
        assertThat(LakeLayout.bronzeKey("sales", RECEIVED, "id-1"))
                .isEqualTo("bronze/sales/ingest_date=2024-03-07/hour=05/id-1.ndjson.gz");
        assertThat(LakeLayout.bronzeKey("sales", Instant.parse("2024-12-31T23:59:59.999Z"), "x"))
                .isEqualTo("bronze/sales/ingest_date=2024-12-31/hour=23/x.ndjson.gz");
    }

    @Test
    void bronzeKeyValidatesTheDataset() {
        assertThatThrownBy(() -> LakeLayout.bronzeKey("../sales", RECEIVED, "x"))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> LakeLayout.bronzeKey("Sales", RECEIVED, "x"))
                .isInstanceOf(ValidationException.class);
    }

    @Test
    void newBronzeIdsSortByTimeAndAreUnique() {
        String first = LakeLayout.newBronzeId(RECEIVED);
        String second = LakeLayout.newBronzeId(RECEIVED);
        String later = LakeLayout.newBronzeId(RECEIVED.plusSeconds(1));

        assertThat(first).matches("20240307T050607Z-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(first).isNotEqualTo(second);
        assertThat(later.substring(0, 16)).isGreaterThan(first.substring(0, 16));
    }

    @Test
    void parsesWhatItWrites() {
        String id = LakeLayout.newBronzeId(RECEIVED);
        String key = LakeLayout.bronzeKey("web_clicks2", RECEIVED, id);

        LakeLayout.BronzeKey parsed = LakeLayout.parseBronzeKey(key);

        assertThat(parsed).isEqualTo(new LakeLayout.BronzeKey(key, "web_clicks2", id, BronzeFormat.NDJSON));
        assertThat(ObjectKeys.validate(key)).isEqualTo(key);
    }

    @Test
    void parsesUncompressedKeysFromOtherProducers() {
        LakeLayout.BronzeKey parsed = LakeLayout
                .parseBronzeKey("bronze/sales/ingest_date=2024-03-07/hour=05/Batch_42-b.ndjson");

        assertThat(parsed.dataset()).isEqualTo("sales");
        assertThat(parsed.bronzeId()).isEqualTo("Batch_42-b");
    }

    @Test
    void takesAnyValidKeyBelowADatasetPrefixFromOtherTools() {
        LakeLayout.BronzeKey dms = LakeLayout.parseBronzeKey("bronze/sales/dms/public/orders/LOAD00000001.CSV");
        LakeLayout.BronzeKey appflow = LakeLayout.parseBronzeKey("bronze/sales/appflow/2024/03/07/part 1.json.gz");

        assertThat(dms).isEqualTo(new LakeLayout.BronzeKey("bronze/sales/dms/public/orders/LOAD00000001.CSV", "sales",
                "dms/public/orders/LOAD00000001.CSV", BronzeFormat.CSV));
        assertThat(appflow.bronzeId()).isEqualTo("appflow/2024/03/07/part 1.json.gz");
        assertThat(appflow.headerlessFormat()).isEqualTo(BronzeFormat.NDJSON);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "bronze/../x",
            "bronze/../sales/ingest_date=2024-03-07/hour=05/x.ndjson.gz",
            "bronze/Sales/ingest_date=2024-03-07/hour=05/x.ndjson.gz",
            "bronze/sa-les/ingest_date=2024-03-07/hour=05/x.ndjson.gz",
            "bronze/sales%2F/ingest_date=2024-03-07/hour=05/x.ndjson.gz",
            "bronze/1sales/ingest_date=2024-03-07/hour=05/x.ndjson.gz",
            "bronze/sales/ingest_date=2024-03-07/hour=05/x.ndjson.gz\n",
            "bronze/sales/ingest_date=2024-03-07/hour=05/../x.ndjson.gz",
            "bronze/sales/./x.json",
            "bronze/sales//x.json",
            "bronze/sales/dir/",
            "bronze/sales/",
            "bronze/sales/a\\b.json",
            "/bronze/sales/ingest_date=2024-03-07/hour=05/x.ndjson.gz",
            "silver/sales/ingest_date=2024-03-07/hour=05/x.ndjson.gz",
            "quarantine/sales/error_type=type_mismatch/ingest_date=2024-03-07/x.ndjson",
            "",
    })
    void rejectsOtherKeys(String key) {
        assertThatThrownBy(() -> LakeLayout.parseBronzeKey(key))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot use Bronze key '");
    }

    @Test
    void rejectsANullKey() {
        assertThatThrownBy(() -> LakeLayout.parseBronzeKey(null)).isInstanceOf(ValidationException.class);
    }

    @Test
    void rejectsOverlongKeysAndDatasets() {
        String name = "a".repeat(1020);
        String dataset = "a".repeat(65);

        assertThatThrownBy(() -> LakeLayout.parseBronzeKey("bronze/sales/" + name))
                .isInstanceOf(ValidationException.class).hasMessageContaining("longer than 1024 bytes");
        assertThatThrownBy(() -> LakeLayout
                .parseBronzeKey("bronze/" + dataset + "/ingest_date=2024-03-07/hour=05/x.ndjson.gz"))
                .isInstanceOf(ValidationException.class);
    }

    @Test
    void runIdIsDeterministicAndIgnoresOrder() {
        List<String> keys = List.of("bronze/sales/b", "bronze/sales/a", "bronze/sales/c");
        List<String> reversed = new ArrayList<>(keys);
        java.util.Collections.reverse(reversed);

        String id = LakeLayout.runId(keys);

        assertThat(id).matches("[0-9a-f]{20}");
        assertThat(LakeLayout.runId(keys)).isEqualTo(id);
        assertThat(LakeLayout.runId(reversed)).isEqualTo(id);
        assertThat(LakeLayout.runId(new LinkedHashSet<>(reversed))).isEqualTo(id);
        assertThat(reversed).containsExactly("bronze/sales/c", "bronze/sales/a", "bronze/sales/b");
    }

    @Test
    void runIdDiffersForDifferentInputs() {
        String ab = LakeLayout.runId(List.of("a", "b"));

        assertThat(LakeLayout.runId(List.of("a"))).isNotEqualTo(ab);
        assertThat(LakeLayout.runId(List.of("ab"))).isNotEqualTo(ab);
        assertThat(LakeLayout.runId(List.of("a", "c"))).isNotEqualTo(ab);
        assertThat(LakeLayout.runId(List.of("a", "b", "c"))).isNotEqualTo(ab);
        assertThat(LakeLayout.runId(List.of())).matches("[0-9a-f]{20}").isNotEqualTo(ab);
    }

    @Test
    void silverKeysNameThePartitionRunAndSequence() {
        assertThat(LakeLayout.silverPrefix("sales")).isEqualTo("silver/sales/");
        assertThat(LakeLayout.silverKey(spec("sales", Granularity.DAY), Partition.day(2024, 3, 7), "abc", 3))
                .isEqualTo("silver/sales/year=2024/month=03/day=07/part-abc-00003.parquet");
        assertThat(LakeLayout.silverKey(spec("clicks", Granularity.HOUR), Partition.hour(2024, 12, 31, 5), "r", 0))
                .isEqualTo("silver/clicks/year=2024/month=12/day=31/hour=05/part-r-00000.parquet");
        assertThatThrownBy(() -> LakeLayout.silverPrefix("a/b")).isInstanceOf(ValidationException.class);
    }

    @Test
    void quarantineKeysNameTheKindDayAndRun() {
        String key = LakeLayout.quarantineKey("sales", RecordError.Kind.TYPE_MISMATCH,
                Instant.parse("2024-03-07T23:59:59Z"), "0123456789abcdef0123");

        assertThat(key).isEqualTo(
                "quarantine/sales/error_type=type_mismatch/ingest_date=2024-03-07/0123456789abcdef0123.ndjson");
        assertThat(ObjectKeys.validate(key)).isEqualTo(key);
        assertThatThrownBy(() -> LakeLayout.quarantineKey("../x", RecordError.Kind.MALFORMED_JSON, RECEIVED, "r"))
                .isInstanceOf(ValidationException.class);
    }

    @Test
    void eachKindHasItsOwnQuarantineKey() {
        var keys = new java.util.HashSet<String>();
        for (RecordError.Kind kind : RecordError.Kind.values()) {
            String key = LakeLayout.quarantineKey("sales", kind, RECEIVED, "r");
            assertThat(key).startsWith("quarantine/sales/error_type=" + kind.label() + "/");
            keys.add(key);
        }

        assertThat(keys).hasSize(RecordError.Kind.values().length);
    }
}
