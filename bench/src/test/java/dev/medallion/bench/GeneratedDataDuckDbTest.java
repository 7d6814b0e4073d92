package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB, an engine we did not write, reads the good lines of a generated file and finds the generator's expected
 * count and sum. Bad lines are split off with Jackson first: DuckDB's {@code ignore_errors} is not a reliable
 * counter of bad lines.
 */
class GeneratedDataDuckDbTest {

    private static final String COLUMNS = "{order_id: 'VARCHAR', customer_id: 'VARCHAR', amount: 'DECIMAL(12,2)', "
            + "currency: 'VARCHAR', quantity: 'INTEGER', ts: 'TIMESTAMPTZ', channel: 'VARCHAR', "
            + "items: 'STRUCT(sku VARCHAR, qty INTEGER, price DECIMAL(12,2))[]', "
            + "shipping: 'STRUCT(country VARCHAR, city VARCHAR, express BOOLEAN)'}";

    @TempDir
    Path dir;

    @Test
    void duckDbReadsTheExpectedGoodRows() throws Exception {
        Path all = dir.resolve("sales.ndjson.gz");
        GenerationStats stats = new SalesGenerator(SalesGenerator.Options.records(2_000).withSeed(11)
                .withBadFraction(0.05)).writeFile(all);
        Path good = dir.resolve("good.ndjson.gz");
        long kept = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(all)), StandardCharsets.US_ASCII));
                OutputStream raw = Files.newOutputStream(good);
                Writer out = new java.io.OutputStreamWriter(new GZIPOutputStream(raw), StandardCharsets.US_ASCII)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (SalesRecords.classify(line) == null) {
                    out.write(line);
                    out.write('\n');
                    kept++;
                }
            }
        }
        assertThat(kept).isEqualTo(stats.goodRows());

        try (Connection c = DuckDb.open(0)) {
            Object[] row = DuckDb.row(c, """
                    SELECT count(*), sum(amount), count(DISTINCT order_id), count(DISTINCT customer_id),
                           min(ts) >= TIMESTAMPTZ '2026-08-03 00:00:00+00', max(ts) < TIMESTAMPTZ '2026-11-01 00:00:00+00',
                           sum(quantity) = sum(list_sum(list_transform(items, i -> i.qty))),
                           count(*) FILTER (WHERE shipping.express)
                    FROM read_json(%s, format = 'newline_delimited', columns = %s)
                    """.formatted(DuckDb.literal(good), COLUMNS));

            assertThat(((Number) row[0]).longValue()).isEqualTo(stats.goodRows());
            assertThat((BigDecimal) row[1]).isEqualTo(stats.goodAmountSum());
            assertThat(((Number) row[2]).longValue()).isEqualTo(stats.goodRows());
            assertThat(((Number) row[3]).longValue()).isLessThanOrEqualTo(10_000L);
            assertThat(row[4]).isEqualTo(true);
            assertThat(row[5]).isEqualTo(true);
            assertThat(row[6]).isEqualTo(true);
            assertThat(((Number) row[7]).longValue()).isPositive();
        }
    }
}
