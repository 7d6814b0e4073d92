package dev.medallion.lake.catalog;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.DatasetName;

/**
 * Athena DDL for a {@link TableInput}, for people who create tables by hand or check what the catalog holds. The
 * statement defines the same table Glue would store from the {@code TableInput}.
 */
public final class AthenaDdl {
    /** What a Hive type can hold; anything else would change the statement rather than name a type. */
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_(),:<>]+");

    private AthenaDdl() {
    }

    /**
     * The {@code CREATE EXTERNAL TABLE} statement of an external table: backtick-quoted names, data columns,
     * {@code COMMENT} (the description, if any), {@code PARTITIONED BY}, {@code ROW FORMAT SERDE} with its
     * properties, {@code STORED AS INPUTFORMAT ... OUTPUTFORMAT ...}, {@code LOCATION} and {@code TBLPROPERTIES} (every
     * table parameter, sorted by key, except {@code EXTERNAL}, which the statement itself says). String literals use
     * Hive's escapes: {@code \'} and {@code \\}.
     *
     * @throws ValidationException if the database or table name is not a valid {@link DatasetName}, a column name
     *         holds a backtick, a column type is not a Hive type, or the table is not external
     */
    public static String createTable(String database, TableInput table) {
        if (!TableInput.EXTERNAL_TABLE.equals(table.tableType())) {
            throw new ValidationException("Cannot write DDL for table '" + table.name() + "': its type is "
                    + table.tableType() + ", not " + TableInput.EXTERNAL_TABLE);
        }
        TableInput.StorageDescriptor sd = table.storageDescriptor();
        StringBuilder ddl = new StringBuilder();
        ddl.append("CREATE EXTERNAL TABLE `").append(DatasetName.validate(database)).append("`.`")
                .append(DatasetName.validate(table.name())).append("` (\n").append(columns(sd.columns())).append("\n)\n");
        if (!table.description().isEmpty()) {
            ddl.append("COMMENT ").append(literal(table.description())).append('\n');
        }
        if (!table.partitionKeys().isEmpty()) {
            ddl.append("PARTITIONED BY (\n").append(columns(table.partitionKeys())).append("\n)\n");
        }
        ddl.append("ROW FORMAT SERDE ").append(literal(sd.serdeInfo().serializationLibrary())).append('\n');
        if (!sd.serdeInfo().parameters().isEmpty()) {
            ddl.append("WITH SERDEPROPERTIES (\n").append(properties(sd.serdeInfo().parameters())).append("\n)\n");
        }
        ddl.append("STORED AS INPUTFORMAT ").append(literal(sd.inputFormat())).append('\n');
        ddl.append("OUTPUTFORMAT ").append(literal(sd.outputFormat())).append('\n');
        ddl.append("LOCATION ").append(literal(sd.location()));
        Map<String, String> tableProperties = new TreeMap<>(table.parameters());
        tableProperties.remove("EXTERNAL");
        if (!tableProperties.isEmpty()) {
            ddl.append("\nTBLPROPERTIES (\n").append(properties(tableProperties)).append("\n)");
        }
        return ddl.toString();
    }

    private static String columns(List<TableInput.Column> columns) {
        return columns.stream().map(c -> "  " + identifier(c.name()) + " " + type(c))
                .collect(Collectors.joining(",\n"));
    }

    private static String properties(Map<String, String> properties) {
        return properties.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> "  " + literal(e.getKey()) + "=" + literal(e.getValue())).collect(Collectors.joining(",\n"));
    }

    private static String type(TableInput.Column column) {
        if (!TYPE.matcher(column.type()).matches()) {
            throw new ValidationException("Cannot write DDL for column '" + column.name() + "': type '" + column.type()
                    + "' is not a Hive type");
        }
        return column.type();
    }

    private static String identifier(String name) {
        if (name.isEmpty() || name.indexOf('`') >= 0) {
            throw new ValidationException("Cannot write DDL for column '" + name + "': it is empty or holds a backtick");
        }
        return "`" + name + "`";
    }

    /** A single-quoted Hive string literal. */
    static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
