package dev.medallion.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** deploy/images: multi-stage builds from pinned bases, running as an unprivileged user. */
class ImagesTest {
    /**
     * A tag that names a release: a version of at least two numbers (21.0.5_11-jre-noble, 12.8-slim,
     * 23.1.6.0-Final-java21), or a digest. Not latest, jdk-21, 21-jre or bookworm-slim, which move to each new release.
     */
    private static final Pattern PINNED = Pattern.compile("[^:@\\s]+(:[A-Za-z0-9_.-]*[0-9]+\\.[0-9]+[A-Za-z0-9_.-]*"
            + "|@sha256:[0-9a-f]{64})");

    @ParameterizedTest
    @ValueSource(strings = { "Dockerfile.jvm", "Dockerfile.native" })
    void buildsInOneStageAndRunsUnprivilegedInAnotherFromPinnedImages(String file) throws IOException {
        List<String> lines = instructions(file);
        List<String> stages = stages(lines);

        assertThat(stages).as("a build stage and a runtime stage").hasSize(2);
        assertThat(stages).allSatisfy(from -> assertThat(from.split("\\s+")[1]).as("%s: a pinned image", file)
                .matches(PINNED).doesNotEndWith(":latest"));
        assertThat(stages.get(0)).endsWith(" AS build");
        List<String> runtime = lines.subList(lines.indexOf(stages.get(1)), lines.size());
        assertThat(runtime).filteredOn(l -> l.startsWith("USER ")).singleElement().asString()
                .doesNotContain("root").matches("USER [1-9][0-9]*(:[1-9][0-9]*)?");
        assertThat(runtime).anyMatch(l -> l.startsWith("COPY --from=build --chown="))
                .anyMatch(l -> l.startsWith("ENTRYPOINT ["));
        assertThat(lines).filteredOn(l -> l.startsWith("ARG SERVICE")).hasSize(3);
    }

    @Test
    void theNativeImageIsCompiledByAPinnedMandrelBuilderAndRunsAsNonRoot() throws IOException {
        List<String> lines = instructions("Dockerfile.native");
        List<String> stages = stages(lines);
        String builder = stages.get(0).split("\\s+")[1];

        assertThat(builder).as("Quarkus' Mandrel builder image, by a release's tag")
                .startsWith("quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:").matches(PINNED)
                .doesNotEndWith(":jdk-21");
        List<String> build = lines.subList(0, lines.indexOf(stages.get(1)));
        assertThat(build).filteredOn(l -> l.startsWith("RUN ")).singleElement().asString()
                .as("a native build").contains(" -Dnative ");
        List<String> runtime = lines.subList(lines.indexOf(stages.get(1)), lines.size());
        assertThat(runtime).filteredOn(l -> l.startsWith("USER ")).singleElement().asString()
                .as("the runtime user is not root (uid 0)").matches("USER [1-9][0-9]*:[1-9][0-9]*");
        assertThat(runtime).anyMatch(l -> l.startsWith("ENTRYPOINT [\"/app/service\""));
    }

    @ParameterizedTest
    @ValueSource(strings = { "Dockerfile.jvm", "Dockerfile.native" })
    void theReadmeBuildsAndTagsEachImageAsItsDockerfileSays(String file) throws IOException {
        String documented = Files.readAllLines(DeployFiles.DEPLOY.resolve("images/" + file)).stream()
                .filter(l -> l.startsWith("#   docker build ")).map(l -> l.substring(1).strip()).findFirst()
                .orElseThrow();

        assertThat(Files.readString(DeployFiles.DEPLOY.resolve("README.md"))).as("deploy/README.md, section Images")
                .contains(documented);
    }

    private static List<String> instructions(String file) throws IOException {
        return Files.readAllLines(DeployFiles.DEPLOY.resolve("images/" + file)).stream()
                .map(String::strip).filter(l -> !l.startsWith("#") && !l.isEmpty()).toList();
    }

    private static List<String> stages(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("FROM ")).toList();
    }
}
