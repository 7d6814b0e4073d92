package dev.medallion.compaction;

import java.util.List;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import dev.medallion.lake.compaction.Compaction;
import dev.medallion.lake.compaction.CompactionPlanner;
import dev.medallion.lake.compaction.Merge;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.lake.spec.DatasetSpec;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Compaction on request, for a dataset's Silver table or one partition of it: {@code GET} (or {@code POST} with
 * {@code dry-run=true}) shows the plan and changes nothing; {@code POST} compacts and reports what it did. Under
 * {@code /v1/datasets/{dataset}/}, so a key must be scoped to the dataset to compact it.
 */
@Path("/v1/datasets/{dataset}/compactions")
// POST answers with a plan or an outcome, so its return type names neither: native needs them registered
@RegisterForReflection(targets = { CompactionResource.Plans.class, CompactionResource.PlanView.class,
        CompactionResource.GroupView.class, CompactionResource.Outcomes.class, CompactionResource.OutcomeView.class })
@Produces(MediaType.APPLICATION_JSON)
public class CompactionResource {
    private final CompactionWorker worker;
    private final Compaction compaction;

    public CompactionResource(CompactionWorker worker, Compaction compaction) {
        this.worker = worker;
        this.compaction = compaction;
    }

    /** A partition's plan: its files, and the groups that would be merged. */
    public record PlanView(String partition, int files, long bytes, int smallSettledFiles, List<GroupView> groups,
            String reason) {
        static PlanView of(Compaction.PartitionPlan plan) {
            return new PlanView(plan.partition(), plan.files(), plan.bytes(), plan.plan().candidates(),
                    plan.plan().groups().stream().map(GroupView::of).toList(), plan.plan().reason());
        }
    }

    /** A group of files to merge into one. */
    public record GroupView(List<String> files, long bytes) {
        static GroupView of(CompactionPlanner.Group group) {
            return new GroupView(group.files().stream().map(f -> f.key()).toList(), group.bytes());
        }
    }

    /** What compacting a partition did. */
    // returned inside a Response (or as Object): native images know its shape only when registered
    @RegisterForReflection
    public record OutcomeView(String partition, List<Merge> merges, int failedGroups, String skipped) {
        static OutcomeView of(Compaction.Outcome outcome) {
            return new OutcomeView(outcome.partition(), outcome.merges(), outcome.failed(),
                    outcome.skipped().orElse(null));
        }
    }

    public record Plans(String dataset, boolean dryRun, List<PlanView> partitions) {
    }

    // returned inside a Response (or as Object): native images know its shape only when registered
    @RegisterForReflection
    public record Outcomes(String dataset, boolean dryRun, List<OutcomeView> partitions) {
    }

    @GET
    public Plans plan(@PathParam("dataset") String dataset, @QueryParam("partition") String partition) {
        DatasetSpec spec = worker.spec(DatasetName.validate(dataset));
        return new Plans(spec.name(), true,
                compaction.plan(spec, Optional.ofNullable(partition)).stream().map(PlanView::of).toList());
    }

    @POST
    public Object compact(@PathParam("dataset") String dataset, @QueryParam("partition") String partition,
            @QueryParam("dry-run") boolean dryRun) {
        if (dryRun) {
            return plan(dataset, partition);
        }
        DatasetSpec spec = worker.spec(DatasetName.validate(dataset));
        List<Compaction.Outcome> outcomes = partition == null ? worker.compactTable(spec)
                : List.of(worker.compact(spec, partition));
        return new Outcomes(spec.name(), false, outcomes.stream().map(OutcomeView::of).toList());
    }
}
