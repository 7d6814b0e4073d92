package dev.medallion.lake.catalog;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.ValidationException;

/**
 * The part of Glue's {@code TableInput} that Medallion uses, serialised by Jackson to exactly Glue's JSON shape
 * ({@code Name}, {@code Description}, {@code TableType}, {@code Parameters}, {@code PartitionKeys},
 * {@code StorageDescriptor}), so the same document can be sent to Glue's {@code CreateTable}/{@code UpdateTable} or
 * kept in the lake by {@link EmbeddedCatalog}. Immutable; parameters are kept sorted so the JSON is deterministic.
 * Reading JSON with fields this model does not know fails rather than silently dropping them.
 *
 * @param name the table name
 * @param description what the table is
 * @param tableType {@value #EXTERNAL_TABLE} for every table Medallion defines
 * @param parameters table properties: classification, compression, partition projection
 * @param partitionKeys the partition columns, in path order
 * @param storageDescriptor columns, location and file format
 */
public record TableInput(
        @JsonProperty("Name") String name,
        @JsonProperty("Description") String description,
        @JsonProperty("TableType") String tableType,
        @JsonProperty("Parameters") Map<String, String> parameters,
        @JsonProperty("PartitionKeys") List<Column> partitionKeys,
        @JsonProperty("StorageDescriptor") StorageDescriptor storageDescriptor) {

    /** The table type of a table whose data outlives it. */
    public static final String EXTERNAL_TABLE = "EXTERNAL_TABLE";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public TableInput {
        require(name, "Name");
        require(description, "Description");
        require(tableType, "TableType");
        parameters = sorted(require(parameters, "Parameters"));
        partitionKeys = List.copyOf(require(partitionKeys, "PartitionKeys"));
        require(storageDescriptor, "StorageDescriptor");
    }

    /** This table with other data columns. */
    public TableInput withColumns(List<Column> columns) {
        return new TableInput(name, description, tableType, parameters, partitionKeys,
                storageDescriptor.withColumns(columns));
    }

    /** This table with other parameters. */
    public TableInput withParameters(Map<String, String> newParameters) {
        return new TableInput(name, description, tableType, newParameters, partitionKeys, storageDescriptor);
    }

    /** This table as Glue JSON, indented. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new LakeException("Cannot write table '" + name + "' as JSON: " + e.getMessage(), e);
        }
    }

    /** Reads Glue {@code TableInput} JSON; throws {@link ValidationException} if it is not one. */
    public static TableInput fromJson(String json) {
        try {
            TableInput table = JSON.readValue(json, TableInput.class);
            if (table == null) {
                throw new ValidationException("Cannot read table JSON: it is null");
            }
            return table;
        } catch (IOException | IllegalArgumentException e) {
            String reason = e.getCause() instanceof ValidationException invalid ? invalid.getMessage() : e.getMessage();
            throw new ValidationException("Cannot read table JSON: " + reason, e);
        }
    }

    /**
     * A column: Glue's {@code Column}.
     *
     * @param name the column name
     * @param type its Hive type, see {@link HiveTypes}
     */
    public record Column(@JsonProperty("Name") String name, @JsonProperty("Type") String type) {
        public Column {
            require(name, "Column.Name");
            require(type, "Column.Type");
        }
    }

    /**
     * Where and how the data is stored: Glue's {@code StorageDescriptor}.
     *
     * @param columns the data columns, in file order (partition columns are not repeated here)
     * @param location the table's root, {@code s3://bucket/prefix/}
     * @param inputFormat the Hive input format class
     * @param outputFormat the Hive output format class
     * @param compressed whether files are compressed as a whole ({@code false} for Parquet, which compresses pages)
     * @param serdeInfo the serialisation library
     */
    public record StorageDescriptor(
            @JsonProperty("Columns") List<Column> columns,
            @JsonProperty("Location") String location,
            @JsonProperty("InputFormat") String inputFormat,
            @JsonProperty("OutputFormat") String outputFormat,
            @JsonProperty("Compressed") boolean compressed,
            @JsonProperty("SerdeInfo") SerDeInfo serdeInfo) {

        /** Hive's Parquet input format. */
        public static final String PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
        /** Hive's Parquet output format. */
        public static final String PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";

        public StorageDescriptor {
            columns = List.copyOf(require(columns, "StorageDescriptor.Columns"));
            require(location, "StorageDescriptor.Location");
            require(inputFormat, "StorageDescriptor.InputFormat");
            require(outputFormat, "StorageDescriptor.OutputFormat");
            require(serdeInfo, "StorageDescriptor.SerdeInfo");
        }

        /** Parquet files under {@code location}, with these columns. */
        public static StorageDescriptor parquet(List<Column> columns, String location) {
            return new StorageDescriptor(columns, location, PARQUET_INPUT_FORMAT, PARQUET_OUTPUT_FORMAT, false,
                    SerDeInfo.parquet());
        }

        /** This descriptor with other columns. */
        public StorageDescriptor withColumns(List<Column> newColumns) {
            return new StorageDescriptor(newColumns, location, inputFormat, outputFormat, compressed, serdeInfo);
        }
    }

    /**
     * The serialisation library and its parameters: Glue's {@code SerDeInfo}.
     *
     * @param serializationLibrary the SerDe class
     * @param parameters SerDe properties
     */
    public record SerDeInfo(
            @JsonProperty("SerializationLibrary") String serializationLibrary,
            @JsonProperty("Parameters") Map<String, String> parameters) {

        /** Hive's Parquet SerDe. */
        public static final String PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

        public SerDeInfo {
            require(serializationLibrary, "SerdeInfo.SerializationLibrary");
            parameters = sorted(require(parameters, "SerdeInfo.Parameters"));
        }

        /** Hive's Parquet SerDe with {@code serialization.format=1}. */
        public static SerDeInfo parquet() {
            return new SerDeInfo(PARQUET_SERDE, Map.of("serialization.format", "1"));
        }
    }

    private static <T> T require(T value, String field) {
        if (value == null) {
            throw new ValidationException("Cannot define table: '" + field + "' is missing");
        }
        return value;
    }

    private static SortedMap<String, String> sorted(Map<String, String> map) {
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new ValidationException("Cannot define table: parameter '" + e.getKey() + "' has no value");
            }
        }
        return Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }
}
