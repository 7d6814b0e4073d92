package dev.medallion.lake.compaction;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.store.ObjectInfo;

/**
 * Decides what to merge in one partition. Files smaller than {@code smallFraction} of the target are candidates once
 * they have settled (older than {@code settle}: a run may still be replacing them) and there are at least
 * {@code minFiles} of them; they are bin-packed, largest first, into groups of at most the target size. Larger files
 * are left alone, and so is a group of one file (there is nothing to merge it with).
 */
public final class CompactionPlanner {

    /**
     * @param targetBytes the size merged files aim for, 128 to 512 MiB
     * @param smallFraction a file under this share of the target is small
     * @param minFiles how many small files a partition needs before it is worth merging
     * @param settle how old a file must be to be merged
     */
    public record Settings(long targetBytes, double smallFraction, int minFiles, Duration settle) {

        public Settings {
            if (targetBytes < DatasetSpec.MIN_COMPACTION_TARGET || targetBytes > DatasetSpec.MAX_COMPACTION_TARGET) {
                throw new ValidationException("Cannot use compaction target " + targetBytes
                        + " bytes: it must be 128 to 512 MiB, the sizes engines scan best");
            }
            if (!(smallFraction > 0 && smallFraction <= 1)) {
                throw new ValidationException("Cannot use small-file fraction " + smallFraction + ": it must be in (0, 1]");
            }
            if (minFiles < 2) {
                throw new ValidationException("Cannot use min-files " + minFiles + ": merging needs at least 2 files");
            }
            if (settle == null || settle.isNegative()) {
                throw new ValidationException("Cannot use settle time " + settle + ": it must be zero or more");
            }
        }

        /** 256 MiB target, files under 75% of it, at least 5 of them, 10 minutes old. */
        public static Settings defaults() {
            return new Settings(256L * 1024 * 1024, 0.75, 5, Duration.ofMinutes(10));
        }

        /** Files under this many bytes are small. */
        public long smallBelow() {
            return (long) (targetBytes * smallFraction);
        }
    }

    /** Files to merge into one, and their total size. */
    public record Group(List<ObjectInfo> files, long bytes) {
    }

    /**
     * What to do in a partition.
     *
     * @param groups the merges, each at most the target size; empty when there is nothing worth doing
     * @param candidates how many small, settled files there were
     * @param reason why nothing is planned, or empty
     */
    public record Plan(List<Group> groups, int candidates, String reason) {
    }

    private final Settings settings;

    public CompactionPlanner(Settings settings) {
        this.settings = settings;
    }

    /** Plans the merges of one partition's files at {@code now}. */
    public Plan plan(List<ObjectInfo> files, Instant now) {
        Instant settledBefore = now.minus(settings.settle());
        List<ObjectInfo> candidates = files.stream()
                .filter(f -> f.size() < settings.smallBelow() && !f.lastModified().isAfter(settledBefore))
                .sorted(Comparator.comparingLong(ObjectInfo::size).reversed().thenComparing(ObjectInfo::key))
                .toList();
        if (candidates.size() < settings.minFiles()) {
            return new Plan(List.of(), candidates.size(), candidates.size() + " small settled files, fewer than "
                    + settings.minFiles());
        }
        // first fit, largest first: within 22% of the fewest groups possible, in one pass
        List<List<ObjectInfo>> bins = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (ObjectInfo file : candidates) {
            int bin = 0;
            while (bin < bins.size() && sizes.get(bin) + file.size() > settings.targetBytes()) {
                bin++;
            }
            if (bin == bins.size()) {
                bins.add(new ArrayList<>());
                sizes.add(0L);
            }
            bins.get(bin).add(file);
            sizes.set(bin, sizes.get(bin) + file.size());
        }
        List<Group> groups = new ArrayList<>();
        for (int i = 0; i < bins.size(); i++) {
            if (bins.get(i).size() > 1) {
                groups.add(new Group(List.copyOf(bins.get(i)), sizes.get(i)));
            }
        }
        return new Plan(List.copyOf(groups), candidates.size(),
                groups.isEmpty() ? "no two small files fit together under the target" : "");
    }
}
