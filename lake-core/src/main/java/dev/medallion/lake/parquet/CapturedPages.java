package dev.medallion.lake.parquet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriteStore;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.statistics.geospatial.GeospatialStatistics;

/**
 * Pages column writers produce, held (uncompressed) until they are handed, in order, to the page writers of the file
 * being written: so pages encoded here and pages copied from an input can follow each other in one column chunk.
 * Plain pages only: a column chunk has one dictionary, which pages from several places cannot share.
 */
final class CapturedPages implements PageWriteStore {
    private record Page(BytesInput bytes, int valueCount, int rowCount, Statistics<?> statistics,
            Encoding repetition, Encoding definition, Encoding values) {
    }

    private final Map<ColumnDescriptor, Captured> writers = new HashMap<>();

    @Override
    public PageWriter getPageWriter(ColumnDescriptor column) {
        return writers.computeIfAbsent(column, c -> new Captured());
    }

    /**
     * Hands every captured page to {@code target}'s writer of the same column, in the order written. Without size
     * statistics: pages copied from inputs have none, and a column chunk's pages must all have them or none.
     */
    void forwardTo(PageWriteStore target) throws IOException {
        for (var entry : writers.entrySet()) {
            PageWriter out = target.getPageWriter(entry.getKey());
            for (Page p : entry.getValue().pages) {
                out.writePage(p.bytes, p.valueCount, p.rowCount, p.statistics, p.repetition, p.definition, p.values);
            }
        }
    }

    private static final class Captured implements PageWriter {
        private final List<Page> pages = new ArrayList<>();
        private long bytes;

        @Override
        public void writePage(BytesInput data, int valueCount, int rowCount, Statistics<?> statistics,
                SizeStatistics sizeStatistics, GeospatialStatistics geospatial, Encoding repetition,
                Encoding definition, Encoding values) throws IOException {
            // the writer reuses its buffers once this returns: keep a copy
            BytesInput copy = BytesInput.copy(data);
            pages.add(new Page(copy, valueCount, rowCount, statistics.copy(), repetition, definition, values));
            bytes += copy.size();
        }

        @Override
        public void writePage(BytesInput data, int valueCount, int rowCount, Statistics<?> statistics,
                SizeStatistics sizeStatistics, Encoding repetition, Encoding definition, Encoding values)
                throws IOException {
            writePage(data, valueCount, rowCount, statistics, sizeStatistics, null, repetition, definition, values);
        }

        @Override
        public void writePage(BytesInput data, int valueCount, int rowCount, Statistics<?> statistics,
                Encoding repetition, Encoding definition, Encoding values) throws IOException {
            writePage(data, valueCount, rowCount, statistics, null, null, repetition, definition, values);
        }

        @Override
        public void writePage(BytesInput data, int valueCount, Statistics<?> statistics, Encoding repetition,
                Encoding definition, Encoding values) {
            throw new UnsupportedOperationException("pages without a row count are not written here");
        }

        @Override
        public void writePageV2(int rowCount, int nullCount, int valueCount, BytesInput repetitionLevels,
                BytesInput definitionLevels, Encoding dataEncoding, BytesInput data, Statistics<?> statistics) {
            throw new UnsupportedOperationException("version 2 pages are not written here");
        }

        @Override
        public void writeDictionaryPage(DictionaryPage dictionaryPage) {
            throw new UnsupportedOperationException("captured columns are written without a dictionary");
        }

        @Override
        public long getMemSize() {
            return bytes;
        }

        @Override
        public long allocatedSize() {
            return bytes;
        }

        @Override
        public String memUsageString(String prefix) {
            return prefix + " captured pages: " + bytes + " bytes";
        }
    }
}
