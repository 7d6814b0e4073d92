package dev.medallion.support;

import dev.medallion.lake.catalog.PartitionInput;
import dev.medallion.lake.catalog.TableInput;
import dev.medallion.lake.compaction.DuePartitions;
import dev.medallion.lake.compaction.Merge;
import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.ingest.IdempotencyRecords;
import dev.medallion.lake.journal.Leases;
import dev.medallion.lake.journal.RunJournal;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.transform.Promotion;
import dev.medallion.lake.transform.TransformResult;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Jackson reads and writes these records by reflection; a native image needs them registered. */
@RegisterForReflection(targets = { BronzeObjectLanded.class, FilesWritten.class, FilesWritten.WrittenFile.class,
        TableInput.class, TableInput.Column.class, TableInput.StorageDescriptor.class, TableInput.SerDeInfo.class,
        Promotion.Promoted.class, RunJournal.Intent.class, RunJournal.Source.class,
        RunJournal.Decision.class, TransformResult.class, Merge.class, Leases.State.class, DuePartitions.Due.class,
        PartitionInput.class, Generations.Pointer.class, Generations.Retired.class, Generations.Registered.class,
        IdempotencyRecords.Stored.class },
        // the SDK's web identity provider (EKS roles for service accounts) loads the STS module by name
        classNames = "software.amazon.awssdk.services.sts.internal.StsWebIdentityCredentialsProviderFactory")
public final class NativeRegistrations {
    private NativeRegistrations() {
    }
}
