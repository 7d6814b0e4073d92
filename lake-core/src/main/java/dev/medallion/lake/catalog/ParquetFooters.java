package dev.medallion.lake.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

import dev.medallion.lake.parquet.ObjectStoreInputFile;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;

/**
 * The event-driven crawler: reads the footer of a Parquet object a table points at and says where its columns
 * disagree with the table's. A column the file lacks is fine (it reads as null: an older file), and so is one that is
 * a partition key of the table (engines take its value from the path); a file column whose type the table's does
 * not safely read, or that the table does not have, is a problem to report.
 */
public final class ParquetFooters {

    private ParquetFooters() {
    }

    /**
     * @return one line per disagreement; empty when the file agrees with the table or no longer exists
     */
    public static List<String> disagreements(ObjectStore store, String key, TableInput table) {
        List<TableInput.Column> columns = table.storageDescriptor().columns();
        MessageType schema;
        try (ParquetFileReader reader = ParquetFileReader.open(new ObjectStoreInputFile(store, key))) {
            schema = reader.getFooter().getFileMetaData().getSchema();
        } catch (ObjectNotFoundException e) {
            return List.of(); // replaced since (compaction): the files that replaced it are checked in their turn
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Parquet footer of '" + key + "'", e);
        }
        Map<String, String> fileTypes = new LinkedHashMap<>();
        for (Type field : schema.getFields()) {
            fileTypes.put(field.getName(), HiveTypes.ofParquet(field));
        }
        table.partitionKeys().forEach(k -> fileTypes.remove(k.name()));
        List<String> found = new ArrayList<>();
        for (TableInput.Column column : columns) {
            String fileType = fileTypes.remove(column.name());
            if (fileType != null && !SchemaEvolution.compatible(fileType, column.type())) {
                found.add("file " + key + ": column " + column.name() + " is " + fileType + " where the table reads "
                        + column.type());
            }
        }
        fileTypes.forEach((name, type) -> found.add("file " + key + ": column " + name + " (" + type
                + ") is not in the table, so no query sees it"));
        return found;
    }
}
