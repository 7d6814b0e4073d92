package dev.medallion.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Small helpers around an in-memory DuckDB connection over JDBC. */
final class DuckDb {
    private DuckDb() {
    }

    /**
     * Opens an in-memory database with {@code TimeZone} set to UTC, so timestamp parts and dates are UTC.
     *
     * @param threads DuckDB worker threads, or 0 for DuckDB's default (one per core)
     */
    static Connection open(int threads) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = connection.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            if (threads > 0) {
                s.execute("SET threads = " + threads);
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** Runs a query and returns its rows, each as an array of column values. */
    /** Runs one statement (a {@code COPY}) on a fresh database with {@code threads}; returns its row count. */
    static long update(int threads, String sql) throws SQLException {
        try (Connection c = open(threads); Statement s = c.createStatement()) {
            s.execute(sql);
            return s.getUpdateCount();
        }
    }

    static List<Object[]> rows(Connection connection, String sql) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Object[] row = new Object[n];
                for (int i = 0; i < n; i++) {
                    row[i] = rs.getObject(i + 1);
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** The single row of a query. */
    static Object[] row(Connection connection, String sql) throws SQLException {
        List<Object[]> rows = rows(connection, sql);
        if (rows.size() != 1) {
            throw new SQLException("Expected one row, got " + rows.size() + " from: " + sql);
        }
        return rows.get(0);
    }

    /** A SQL string literal. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** A SQL string literal of a path, with forward slashes. */
    static String literal(Path path) {
        return literal(path.toAbsolutePath().toString().replace('\\', '/'));
    }

    /** The DuckDB version and the number of threads it uses by default here. */
    static String describe(int threads) throws SQLException {
        try (Connection c = open(threads)) {
            Object[] row = row(c, "SELECT version(), current_setting('threads')");
            return row[0] + ", threads=" + row[1];
        }
    }
}
