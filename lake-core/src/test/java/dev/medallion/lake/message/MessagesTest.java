package dev.medallion.lake.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.medallion.lake.ValidationException;

class MessagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final BronzeObjectLanded LANDED = BronzeObjectLanded.of("20240301T101530Z-abc", "sales",
            "bronze/sales/ingest_date=2024-03-01/hour=10/20240301T101530Z-abc.ndjson.gz", 1234,
            Instant.parse("2024-03-01T10:15:30.123456Z"), "http");

    private static FilesWritten written() {
        var partition = new LinkedHashMap<String, String>();
        partition.put("year", "2024");
        partition.put("month", "03");
        partition.put("day", "01");
        return FilesWritten.silver("0123456789abcdef0123", "sales", "lake",
                List.of(new FilesWritten.WrittenFile("silver/sales/year=2024/month=03/day=01/part-x-00000.parquet",
                        partition, 10, 2048)),
                List.of("bronze/sales/a.ndjson.gz", "bronze/sales/b.ndjson.gz"), 3);
    }

    private static ObjectNode tree(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void roundTripsBronzeObjectLanded() throws Exception {
        String text = Messages.encode(LANDED);

        assertThat(Messages.decode(text)).isEqualTo(LANDED);
        JsonNode node = JSON.readTree(text);
        assertThat(node.get("type").textValue()).isEqualTo("bronze.object.landed");
        assertThat(node.get("version").intValue()).isEqualTo(1);
        assertThat(node.get("bytes").longValue()).isEqualTo(1234);
        assertThat(node.get("receivedAt").isTextual()).isTrue();
        assertThat(node.get("receivedAt").textValue()).isEqualTo("2024-03-01T10:15:30.123456Z");
    }

    @Test
    void roundTripsFilesWritten() throws Exception {
        FilesWritten message = written();
        String text = Messages.encode(message);

        LakeMessage decoded = Messages.decode(text);

        assertThat(decoded).isInstanceOf(FilesWritten.class).isEqualTo(message);
        FilesWritten files = (FilesWritten) decoded;
        assertThat(files.files().get(0).partition()).containsEntry("month", "03");
        JsonNode node = JSON.readTree(text);
        assertThat(node.get("type").textValue()).isEqualTo("files.written");
        assertThat(node.get("files").get(0).get("rows").longValue()).isEqualTo(10);
        assertThat(node.get("rowsQuarantined").longValue()).isEqualTo(3);
    }

    @Test
    void leavesOutNullFields() throws Exception {
        var message = BronzeObjectLanded.of("id", "sales", "k", 1, Instant.EPOCH, null);

        JsonNode node = JSON.readTree(Messages.encode(message));

        assertThat(node.has("source")).isFalse();
        assertThat(Messages.decode(Messages.encode(message))).isEqualTo(message);
    }

    @Test
    void toleratesUnknownExtraFields() throws Exception {
        ObjectNode node = tree(Messages.encode(LANDED));
        node.put("traceId", "t-1").putObject("future").put("x", 1);
        node.putArray("moreStuff").add(1);

        assertThat(Messages.decode(node.toString())).isEqualTo(LANDED);
    }

    @Test
    void readsFieldsInAnyOrder() {
        String text = "{\"source\":\"sqs\",\"receivedAt\":\"2024-03-01T10:15:30Z\",\"bytes\":5,\"key\":\"k\","
                + "\"dataset\":\"sales\",\"id\":\"i\",\"version\":1,\"type\":\"bronze.object.landed\"}";

        assertThat(Messages.decode(text)).isEqualTo(
                BronzeObjectLanded.of("i", "sales", "k", 5, Instant.parse("2024-03-01T10:15:30Z"), "sqs"));
    }

    @Test
    void rejectsAnUnknownType() throws Exception {
        ObjectNode node = tree(Messages.encode(LANDED)).put("type", "bronze.object.deleted");

        assertThatThrownBy(() -> Messages.decode(node.toString()))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot decode message: unknown type 'bronze.object.deleted'");
    }

    @Test
    void rejectsAMissingType() throws Exception {
        ObjectNode node = tree(Messages.encode(LANDED));
        node.remove("type");

        assertThatThrownBy(() -> Messages.decode(node.toString()))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot decode message: unknown type ''");
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 2, 99, -1 })
    void rejectsOtherVersions(int version) throws Exception {
        ObjectNode bronze = tree(Messages.encode(LANDED)).put("version", version);
        ObjectNode files = tree(Messages.encode(written())).put("version", version);

        assertThatThrownBy(() -> Messages.decode(bronze.toString()))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("version " + version + " is not supported");
        assertThatThrownBy(() -> Messages.decode(files.toString()))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot decode message of type files.written: version " + version);
    }

    @Test
    void rejectsAMissingVersion() throws Exception {
        ObjectNode node = tree(Messages.encode(LANDED));
        node.remove("version");

        assertThatThrownBy(() -> Messages.decode(node.toString()))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("is not supported");
    }

    @ParameterizedTest
    @ValueSource(strings = { "missing", "null", "empty", "blank", "object" })
    void rejectsAMissingId(String how) throws Exception {
        ObjectNode node = tree(Messages.encode(written()));
        switch (how) {
            case "missing" -> node.remove("id");
            case "null" -> node.putNull("id");
            case "empty" -> node.put("id", "");
            case "blank" -> node.put("id", "  ");
            default -> node.putObject("id");
        }

        assertThatThrownBy(() -> Messages.decode(node.toString()))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot decode message of type files.written: it has no id");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{", "not json", "{\"type\":}", "{'type':'x'}" })
    void rejectsTextThatIsNotJson(String text) {
        assertThatThrownBy(() -> Messages.decode(text))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot decode message: it is not JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = { "[]", "[{\"type\":\"files.written\"}]", "42", "\"files.written\"", "null", "true", "",
            "   " })
    void rejectsJsonThatIsNotAnObject(String text) {
        assertThatThrownBy(() -> Messages.decode(text))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot decode message: expected a JSON object");
    }

    @Test
    void rejectsFieldsOfTheWrongShape() throws Exception {
        ObjectNode badBytes = tree(Messages.encode(LANDED)).put("bytes", "many");
        ObjectNode badTime = tree(Messages.encode(LANDED)).put("receivedAt", "yesterday");
        ObjectNode noFiles = tree(Messages.encode(written()));
        noFiles.remove("files");

        for (ObjectNode node : List.of(badBytes, badTime, noFiles)) {
            assertThatThrownBy(() -> Messages.decode(node.toString()))
                    .as("%s", node)
                    .isInstanceOf(ValidationException.class)
                    .hasMessageStartingWith("Cannot decode message of type ");
        }
    }

    @Test
    void messagesCopyTheirCollections() {
        var files = new java.util.ArrayList<FilesWritten.WrittenFile>();
        var partition = new java.util.HashMap<>(Map.of("year", "2024"));
        files.add(new FilesWritten.WrittenFile("k", partition, 1, 1));
        FilesWritten message = FilesWritten.silver("id", "sales", "lake", files, List.of(), 0);

        files.clear();
        partition.clear();

        assertThat(message.files()).hasSize(1);
        assertThat(message.files().get(0).partition()).containsEntry("year", "2024");
    }
}
