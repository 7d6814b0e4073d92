package dev.medallion.lake.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.message.Messages;
import dev.medallion.lake.transform.TransformEvents.BronzeSource;

class TransformEventsTest {
    private static final String BUCKET = "lake";
    private static final String OURS = "bronze/sales/ingest_date=2026-11-24/hour=10/20261124T100000Z-abc.ndjson.gz";

    @Test
    void readsALandedEvent() {
        String body = Messages.encode(BronzeObjectLanded.of("abc", "sales", OURS, 1234, Instant.EPOCH, "http"));

        assertThat(TransformEvents.parse(body, BUCKET)).containsExactly(new BronzeSource("sales", OURS, 1234));
    }

    @Test
    void readsEveryCreatedObjectOfAnS3NotificationDecodingItsKeys() {
        String body = """
                {"Records": [
                  {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                   "s3": {"bucket": {"name": "lake"}, "object": {"key": "bronze/sales/dms/day%3D2026-11-24/LOAD+1.csv", "size": 10}}},
                  {"eventSource": "aws:s3", "eventName": "ObjectRemoved:Delete",
                   "s3": {"bucket": {"name": "lake"}, "object": {"key": "bronze/sales/old.json"}}},
                  {"eventSource": "aws:s3", "eventName": "ObjectCreated:CompleteMultipartUpload",
                   "s3": {"bucket": {"name": "lake"}, "object": {"key": "bronze/clicks/a%2Bb.json", "size": 20}}}
                ]}""";

        assertThat(TransformEvents.parse(body, BUCKET)).containsExactly(
                new BronzeSource("sales", "bronze/sales/dms/day=2026-11-24/LOAD 1.csv", 10),
                new BronzeSource("clicks", "bronze/clicks/a+b.json", 20));
    }

    @Test
    void unwrapsAnS3NotificationDeliveredThroughSns() throws Exception {
        String s3 = """
                {"Records": [{"eventName": "ObjectCreated:Put",
                  "s3": {"bucket": {"name": "lake"}, "object": {"key": "bronze/sales/x.json", "size": 5}}}]}""";
        String body = new ObjectMapper().createObjectNode().put("Type", "Notification").put("MessageId", "m-1")
                .put("TopicArn", "arn:aws:sns:us-east-1:000000000000:lake-events").put("Message", s3).toString();

        assertThat(TransformEvents.parse(body, BUCKET)).containsExactly(new BronzeSource("sales", "bronze/sales/x.json", 5));
    }

    @Test
    void ignoresTheTestEventS3SendsWhenNotificationsAreConfigured() {
        String body = """
                {"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-24T10:00:00.000Z",
                 "Bucket": "lake", "RequestId": "r", "HostId": "h"}""";

        assertThat(TransformEvents.parse(body, BUCKET)).isEmpty();
    }

    @Test
    void readsAnEventBridgeObjectCreatedEventAndIgnoresOtherS3Events() {
        String created = """
                {"version": "0", "id": "e-1", "detail-type": "Object Created", "source": "aws.s3",
                 "detail": {"bucket": {"name": "lake"}, "object": {"key": "bronze/sales/appflow/run 1.json", "size": 7}}}""";
        String deleted = created.replace("Object Created", "Object Deleted");

        assertThat(TransformEvents.parse(created, BUCKET))
                .containsExactly(new BronzeSource("sales", "bronze/sales/appflow/run 1.json", 7));
        assertThat(TransformEvents.parse(deleted, BUCKET)).isEmpty();
    }

    @Test
    void refusesAnotherBucketAKeyOutsideBronzeAndAPathThatClimbsOut() {
        String otherBucket = """
                {"Records": [{"eventName": "ObjectCreated:Put",
                  "s3": {"bucket": {"name": "other"}, "object": {"key": "bronze/sales/x.json"}}}]}""";
        String silver = otherBucket.replace("other", "lake").replace("bronze/sales/x.json", "silver/sales/x.parquet");
        String climbing = otherBucket.replace("other", "lake").replace("bronze/sales/x.json", "bronze/sales/..%2F..%2Fx");

        assertThatThrownBy(() -> TransformEvents.parse(otherBucket, BUCKET)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("bucket 'other'");
        assertThatThrownBy(() -> TransformEvents.parse(silver, BUCKET)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("Cannot use Bronze key");
        assertThatThrownBy(() -> TransformEvents.parse(climbing, BUCKET)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("'..'");
    }

    @Test
    void refusesALandedEventWhoseDatasetIsNotItsKeys() {
        String body = Messages.encode(BronzeObjectLanded.of("abc", "clicks", OURS, 1, Instant.EPOCH, "http"));

        assertThatThrownBy(() -> TransformEvents.parse(body, BUCKET)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("belongs to 'sales'");
    }

    @Test
    void refusesWhatIsNoTransformEvent() {
        String filesWritten = Messages
                .encode(FilesWritten.silver("run", "sales", "lake", java.util.List.of(), java.util.List.of(), 0));

        assertThatThrownBy(() -> TransformEvents.parse("not json", BUCKET)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> TransformEvents.parse("[1]", BUCKET)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> TransformEvents.parse("{\"hello\": 1}", BUCKET))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> TransformEvents.parse(filesWritten, BUCKET)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("Cannot transform a files.written message");
    }
}
