package dev.medallion.support.testing;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.medallion.lake.store.ObjectStore;

/** Reads what a service wrote with DuckDB, the independent reader (the caller's tests put its JDBC driver on the path). */
public final class DuckDbQueries {

    private DuckDbQueries() {
    }

    /**
     * The rows of a query over one Parquet object, as view {@code t} (its Parquet metadata, row group by column chunk,
     * as view {@code t_metadata}), each row's values joined by {@code |}; read
     * through a local copy, as DuckDB cannot reach the local S3 server.
     */
    public static List<String> query(ObjectStore store, String key, String sql) throws Exception {
        Path local = Files.createTempFile("query", ".parquet");
        try (InputStream in = store.open(key)) {
            Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
        }
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = db.createStatement()) {
            statement.execute("CREATE VIEW t AS SELECT * FROM read_parquet('" + local + "')");
            statement.execute("CREATE VIEW t_metadata AS SELECT * FROM parquet_metadata('" + local + "')");
            ResultSet rows = statement.executeQuery(sql);
            List<String> found = new ArrayList<>();
            while (rows.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                    values.add(rows.getString(i));
                }
                found.add(String.join("|", values));
            }
            return found;
        } finally {
            Files.delete(local);
        }
    }
}
