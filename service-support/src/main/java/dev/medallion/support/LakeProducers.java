package dev.medallion.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.spec.DatasetSpecs;
import software.amazon.awssdk.services.s3.S3Client;

/** The lake-core objects every service uses, built from configuration at run time. */
public class LakeProducers {

    @Produces
    @Singleton
    S3ObjectStore lakeStore(S3Client s3, LakeConfig config) {
        return new S3ObjectStore(s3, config.lake().bucket(), config.lake().kmsKeyId(), config.lake().stagingDir());
    }

    @Produces
    @Singleton
    DatasetSpecs datasetSpecs(LakeConfig config) {
        try (InputStream in = Files.newInputStream(config.datasetsFile())) {
            return DatasetSpecs.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read dataset specs from " + config.datasetsFile().toAbsolutePath()
                    + " (set medallion.datasets-file)", e);
        }
    }
}
