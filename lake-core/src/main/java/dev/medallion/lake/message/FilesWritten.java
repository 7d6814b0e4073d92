package dev.medallion.lake.message;

import java.util.List;
import java.util.Map;

/**
 * A step wrote files into a table. Sent by transform-service to the catalog and compaction queues.
 *
 * @param type always {@link #TYPE}
 * @param version always {@link #VERSION}
 * @param id the run id: the same inputs give the same id
 * @param dataset the table's dataset
 * @param database its catalog database
 * @param zone {@code silver} or {@code gold}
 * @param table the table written: the dataset for Silver, a Gold table's name for Gold (absent in messages from
 *        before Gold existed, read as the dataset)
 * @param files what was written
 * @param sources the input objects of the run
 * @param rowsQuarantined rows of the inputs rejected to quarantine
 */
public record FilesWritten(String type, int version, String id, String dataset, String database, String zone,
        String table, List<WrittenFile> files, List<String> sources, long rowsQuarantined) implements LakeMessage {

    public static final String TYPE = "files.written";
    public static final int VERSION = 1;

    public static final String SILVER = "silver";
    public static final String GOLD = "gold";

    public FilesWritten {
        table = table == null ? dataset : table;
        files = List.copyOf(files);
        sources = List.copyOf(sources);
    }

    /** Files of a dataset's Silver table. */
    public static FilesWritten silver(String id, String dataset, String database, List<WrittenFile> files,
            List<String> sources, long rowsQuarantined) {
        return new FilesWritten(TYPE, VERSION, id, dataset, database, SILVER, dataset, files, sources, rowsQuarantined);
    }

    /** Files of one of a dataset's Gold tables. */
    public static FilesWritten gold(String id, String dataset, String database, String table, List<WrittenFile> files,
            List<String> sources) {
        return new FilesWritten(TYPE, VERSION, id, dataset, database, GOLD, table, files, sources, 0);
    }

    /**
     * One file.
     *
     * @param key its object key
     * @param partition its partition values, e.g. {@code year=2026, month=03, day=07}
     * @param rows rows in it
     * @param bytes its size
     */
    public record WrittenFile(String key, Map<String, String> partition, long rows, long bytes) {
        public WrittenFile {
            partition = Map.copyOf(partition);
        }
    }
}
