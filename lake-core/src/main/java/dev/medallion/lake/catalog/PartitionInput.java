package dev.medallion.lake.catalog;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.medallion.lake.ValidationException;

/**
 * A partition registered in a catalog, as Glue's {@code PartitionInput}: its values in partition-key order and the
 * table's storage descriptor pointing at the partition's folder.
 */
public record PartitionInput(@JsonProperty("Values") List<String> values,
        @JsonProperty("StorageDescriptor") TableInput.StorageDescriptor storageDescriptor) {

    public PartitionInput {
        values = List.copyOf(values);
        if (values.isEmpty() || values.stream().anyMatch(v -> v == null || !v.matches("[A-Za-z0-9_.-]+"))) {
            throw new ValidationException("Cannot register partition " + values
                    + ": values are letters, digits, '_', '.' and '-'");
        }
    }

    /** The partition of {@code table} with {@code values}: the table's storage at {@code location/k=v/.../}. */
    public static PartitionInput of(TableInput table, List<String> values) {
        return of(table, values, defaultLocation(table, values));
    }

    /** The partition of {@code table} with {@code values}, with the table's storage at {@code location}. */
    public static PartitionInput of(TableInput table, List<String> values, String location) {
        defaultLocation(table, values); // validates the number of values
        String tableLocation = table.storageDescriptor().location();
        if (!location.startsWith(tableLocation) || !location.endsWith("/") || location.contains("/../")) {
            throw new ValidationException("Cannot register partition " + values + " of table " + table.name() + " at '"
                    + location + "': a partition's location is a folder below the table's, " + tableLocation);
        }
        var sd = table.storageDescriptor();
        return new PartitionInput(values, new TableInput.StorageDescriptor(sd.columns(), location, sd.inputFormat(),
                sd.outputFormat(), sd.compressed(), sd.serdeInfo()));
    }

    /** Where a partition of {@code table} is unless it moved: {@code location/k=v/.../}. */
    public static String defaultLocation(TableInput table, List<String> values) {
        List<TableInput.Column> keys = table.partitionKeys();
        if (keys.size() != values.size()) {
            throw new ValidationException("Cannot register partition " + values + " of table " + table.name()
                    + ": it has " + keys.size() + " partition keys");
        }
        StringBuilder location = new StringBuilder(table.storageDescriptor().location());
        for (int i = 0; i < keys.size(); i++) {
            location.append(keys.get(i).name()).append('=').append(values.get(i)).append('/');
        }
        return location.toString();
    }
}
