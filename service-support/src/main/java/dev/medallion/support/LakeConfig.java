package dev.medallion.support;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings every service shares: the lake bucket, the dataset specs, the queues and API keys. */
@ConfigMapping(prefix = "medallion")
public interface LakeConfig {

    /** The lake bucket. */
    Lake lake();

    /** The YAML file of dataset specs (format: docs/architecture.md). */
    @WithDefault("datasets.yaml")
    Path datasetsFile();

    /** Queue names; each has a dead-letter queue named {@code <name>-dlq}. */
    QueueNames queues();

    /** Authentication of mutating endpoints. */
    Auth auth();

    interface Lake {
        /** The bucket holding bronze/, silver/, gold/, quarantine/ and catalog/. */
        @WithDefault("lake")
        String bucket();

        /** A KMS key id or ARN: when set, every object is written with SSE-KMS and an S3 bucket key. */
        Optional<String> kmsKeyId();

        /** Local folder where object writes are staged before upload. */
        @WithDefault("${java.io.tmpdir}/medallion-staging")
        Path stagingDir();
    }

    interface QueueNames {
        /**
         * The queues this service receives from or sends to: readiness checks only those, so its IAM role needs no
         * access to the others. Each service's application.properties names its own.
         */
        List<String> used();

        /** Producer records for ingest. */
        @WithDefault("medallion-ingest")
        String ingest();

        /** Bronze objects to promote. */
        @WithDefault("medallion-transform")
        String transform();

        /** Files written, for compaction. */
        @WithDefault("medallion-compaction")
        String compaction();

        /** Files written, for the catalog. */
        @WithDefault("medallion-catalog")
        String catalog();
    }

    interface Auth {
        /**
         * API keys by name. Mutating requests need one, as {@code Authorization: Bearer <key>} or
         * {@code X-Api-Key: <key>}; with none configured every mutating request is refused. Only a key's SHA-256 is
         * configured, never the key, and only its name appears in logs.
         */
        Map<String, ApiKey> keys();

        /**
         * Signed JWT bearer tokens (from an OIDC provider, say), accepted besides API keys once a key to verify them
         * is configured: {@code mp.jwt.verify.publickey.location} (the provider's JWKS URL) or
         * {@code mp.jwt.verify.publickey}.
         */
        Jwt jwt();
    }

    interface Jwt {
        /** The token claim listing the datasets its bearer may write (a JSON array, or space-separated text). */
        @WithDefault("datasets")
        String datasetsClaim();
    }

    interface ApiKey {
        /** Lower-case hex SHA-256 of the key, e.g. from {@code printf %s "$KEY" | sha256sum}. */
        String sha256();

        /** The datasets this key may write to. */
        List<String> datasets();
    }
}
