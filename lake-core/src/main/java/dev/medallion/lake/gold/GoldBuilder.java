package dev.medallion.lake.gold;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.catalog.Partition;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.FilesWritten.WrittenFile;
import dev.medallion.lake.parquet.RowReader;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.Granularity;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.SupportsPrefixListing;
import dev.medallion.lake.transform.SupersededRows;

/**
 * Recomputes a dataset's Gold tables for whole event-time days from Silver, and replaces each day whole.
 *
 * <p>
 * A day is read twice, streaming and only the columns Gold needs: first to find the latest row of every business key
 * (the latest ingestion; without a declared key, the lineage id, so a record stored twice counts once), then to
 * aggregate only those rows. So a record sent twice is counted once, wherever its copies are in Silver. Each table's
 * day is one object with a fixed name, overwritten in one PUT: readers see the old day or the new one, never both,
 * and the same Silver data always gives the same object.
 */
public final class GoldBuilder {
    /** Times a day is read again when one of its files is replaced (by compaction) while it is read. */
    private static final int REPLACED_RETRIES = 5;
    private final ObjectStore store;
    private final Generations generations;
    private final RowWriter.Settings writer;
    private final int maxKeys;

    /**
     * @param maxKeys most keys of one day remembered for deduplication (48 to 96 bytes each); rows of keys beyond it
     *        are aggregated without deduplication
     */
    public GoldBuilder(ObjectStore store, RowWriter.Settings writer, int maxKeys) {
        if (!(store instanceof SupportsPrefixListing)) {
            throw new IllegalArgumentException("Gold needs a store that lists keys");
        }
        this.store = store;
        this.generations = new Generations(store);
        this.writer = writer;
        this.maxKeys = maxKeys;
    }

    /** What rebuilding a day of one table wrote: its file, or nothing when the day has no rows (any more). */
    public record Rebuilt(GoldTable table, LocalDate day, WrittenFile file) {
    }

    /** Rebuilds every Gold table of {@code spec} for each of {@code days}. */
    public List<Rebuilt> rebuild(DatasetSpec spec, Collection<LocalDate> days) {
        List<Rebuilt> rebuilt = new ArrayList<>();
        if (spec.gold().isEmpty()) {
            return rebuilt;
        }
        for (LocalDate day : new TreeSet<>(days)) {
            rebuilt.addAll(rebuildDay(spec, day));
        }
        return rebuilt;
    }

    private List<Rebuilt> rebuildDay(DatasetSpec spec, LocalDate day) {
        for (int attempt = 1;; attempt++) {
            try {
                return aggregateDay(spec, day);
            } catch (ObjectNotFoundException e) {
                if (attempt == REPLACED_RETRIES) {
                    throw new LakeException("Cannot rebuild Gold of " + spec.name() + " for " + day + ": its Silver "
                            + "files were replaced while read " + attempt + " times running", e);
                }
                // a file listed is gone: compaction replaced it by a merged one, which the next listing finds
            }
        }
    }

    private List<Rebuilt> aggregateDay(DatasetSpec spec, LocalDate day) {
        // each partition of the day in its current generation only: an old one still holds the same rows
        List<ObjectInfo> files = generations.currentFilesBelow(spec, silverDayPath(day)).values().stream()
                .flatMap(List::stream).sorted(Comparator.comparing(ObjectInfo::key)).toList();
        Columns columns = Columns.of(spec);
        SupersededRows superseded = SupersededRows.of(store, spec, files, maxKeys);
        List<Aggregation> tables = spec.gold().stream().map(t -> new Aggregation(t, spec, columns)).toList();
        for (int f = 0; f < files.size(); f++) {
            BitSet skip = superseded.inFile(f);
            try (RowReader reader = new RowReader(store, files.get(f), columns.read)) {
                int r = 0;
                for (Object[] row = reader.next(); row != null; row = reader.next(), r++) {
                    if (skip.get(r)) {
                        continue; // a later version of this key is counted instead
                    }
                    for (Aggregation table : tables) {
                        table.add(row);
                    }
                }
            }
        }
        List<Rebuilt> rebuilt = new ArrayList<>();
        for (Aggregation table : tables) {
            rebuilt.add(table.write(day));
        }
        return rebuilt;
    }

    private static String silverDayPath(LocalDate day) {
        return PartitionLayout.of(Granularity.DAY)
                .path(Partition.day(day.getYear(), day.getMonthValue(), day.getDayOfMonth())) + "/";
    }

    /** The Silver columns Gold aggregates. */
    private record Columns(List<FieldType.Field> read) {

        static Columns of(DatasetSpec spec) {
            List<FieldType.Field> silver = SilverColumns.of(spec);
            Map<String, FieldType.Field> byName = new LinkedHashMap<>();
            silver.forEach(f -> byName.put(f.name(), f));
            Map<String, FieldType.Field> read = new LinkedHashMap<>();
            for (GoldTable table : spec.gold()) {
                table.dimensions().forEach(d -> read.put(d, byName.get(d)));
                table.measures().forEach(m -> m.field().ifPresent(f -> read.put(f, byName.get(f))));
            }
            if (read.isEmpty()) {
                FieldType.Field key = SupersededRows.keyColumn(spec);
                read.put(key.name(), key); // counts alone: Parquet needs a column to count rows by
            }
            return new Columns(List.copyOf(read.values()));
        }

        int indexOf(String name) {
            for (int i = 0; i < read.size(); i++) {
                if (read.get(i).name().equals(name)) {
                    return i;
                }
            }
            throw new IllegalArgumentException(name);
        }
    }

    /** One table's groups for one day. */
    private final class Aggregation {
        private final GoldTable table;
        private final List<FieldType.Field> output;
        private final int[] dimensionIndexes;
        private final int[] measureIndexes;
        private final Map<List<Object>, Accumulator[]> groups = new HashMap<>();

        Aggregation(GoldTable table, DatasetSpec spec, Columns columns) {
            this.table = table;
            this.output = table.columns(spec.fields());
            this.dimensionIndexes = table.dimensions().stream().mapToInt(columns::indexOf).toArray();
            this.measureIndexes = table.measures().stream()
                    .mapToInt(m -> m.field().map(columns::indexOf).orElse(-1)).toArray();
        }

        void add(Object[] row) {
            Object[] dims = new Object[dimensionIndexes.length];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = row[dimensionIndexes[i]];
            }
            Accumulator[] accumulators = groups.computeIfAbsent(Arrays.asList(dims), k -> newAccumulators());
            for (int i = 0; i < accumulators.length; i++) {
                accumulators[i].add(measureIndexes[i] < 0 ? Boolean.TRUE : row[measureIndexes[i]]);
            }
        }

        private Accumulator[] newAccumulators() {
            Accumulator[] accumulators = new Accumulator[table.measures().size()];
            for (int i = 0; i < accumulators.length; i++) {
                accumulators[i] = Accumulator.of(table.measures().get(i),
                        output.get(1 + dimensionIndexes.length + i).type());
            }
            return accumulators;
        }

        Rebuilt write(LocalDate day) {
            String key = LakeLayout.goldKey(table.name(), day);
            if (groups.isEmpty()) {
                store.delete(key);
                return new Rebuilt(table, day, null);
            }
            List<Map.Entry<List<Object>, Accumulator[]>> sorted = new ArrayList<>(groups.entrySet());
            sorted.sort(Map.Entry.comparingByKey(GoldBuilder::compareGroups));
            RowWriter out = new RowWriter(store, key, output, java.util.Set.of(), Map.of(), writer);
            try {
                for (var group : sorted) {
                    Object[] row = new Object[output.size()];
                    row[0] = day;
                    for (int i = 0; i < group.getKey().size(); i++) {
                        row[1 + i] = group.getKey().get(i);
                    }
                    Accumulator[] accumulators = group.getValue();
                    for (int i = 0; i < accumulators.length; i++) {
                        row[1 + group.getKey().size() + i] = accumulators[i].result();
                    }
                    out.add(row);
                }
            } catch (RuntimeException e) {
                out.abort();
                throw e;
            }
            out.close();
            RowWriter.Result result = out.result();
            Map<String, String> partition = PartitionLayout.of(Granularity.DAY)
                    .values(Partition.day(day.getYear(), day.getMonthValue(), day.getDayOfMonth()));
            return new Rebuilt(table, day, new WrittenFile(key, partition, result.rows(), result.bytes()));
        }
    }

    /** Groups in a stable order (nulls first), so the same data always writes the same bytes. */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static int compareGroups(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            int c = x == null ? (y == null ? 0 : -1) : y == null ? 1 : ((Comparable) x).compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** One measure's running value for one group. */
    private abstract static class Accumulator {
        abstract void add(Object value);

        abstract Object result();

        static Accumulator of(GoldTable.Measure measure, FieldType resultType) {
            return switch (measure.aggregate()) {
                case COUNT -> new Accumulator() {
                    long count;

                    void add(Object value) {
                        if (value != null) {
                            count++;
                        }
                    }

                    Object result() {
                        return count;
                    }
                };
                case APPROX_COUNT_DISTINCT -> new Accumulator() {
                    final DistinctCounter distinct = new DistinctCounter();

                    void add(Object value) {
                        if (value != null) {
                            distinct.add(value.toString());
                        }
                    }

                    Object result() {
                        return distinct.count();
                    }
                };
                case SUM -> sum(resultType);
                case AVG -> new Accumulator() {
                    double sum;
                    long count;

                    void add(Object value) {
                        if (value != null) {
                            sum += ((Number) value).doubleValue();
                            count++;
                        }
                    }

                    Object result() {
                        return count == 0 ? null : sum / count;
                    }
                };
                case MIN, MAX -> new Accumulator() {
                    final int sign = measure.aggregate() == GoldTable.Aggregate.MIN ? -1 : 1;
                    Comparable<Object> best;

                    @SuppressWarnings("unchecked")
                    void add(Object value) {
                        if (value != null && (best == null || sign * ((Comparable<Object>) value).compareTo(best) > 0)) {
                            best = (Comparable<Object>) value;
                        }
                    }

                    Object result() {
                        return best;
                    }
                };
            };
        }

        private static Accumulator sum(FieldType resultType) {
            if (resultType instanceof FieldType.Decimal) {
                return new Accumulator() {
                    BigDecimal sum;

                    void add(Object value) {
                        if (value != null) {
                            sum = sum == null ? (BigDecimal) value : sum.add((BigDecimal) value);
                        }
                    }

                    Object result() {
                        return sum;
                    }
                };
            }
            if (resultType == FieldType.Primitive.DOUBLE) {
                return new Accumulator() {
                    Double sum;

                    void add(Object value) {
                        if (value != null) {
                            sum = (sum == null ? 0 : sum) + ((Number) value).doubleValue();
                        }
                    }

                    Object result() {
                        return sum;
                    }
                };
            }
            return new Accumulator() {
                Long sum;

                void add(Object value) {
                    if (value != null) {
                        sum = Math.addExact(sum == null ? 0 : sum, ((Number) value).longValue());
                    }
                }

                Object result() {
                    return sum;
                }
            };
        }
    }
}
