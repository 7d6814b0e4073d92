package dev.medallion.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** deploy/images: multi-stage builds from pinned bases, running as an unprivileged user. */
class ImagesTest {

    @ParameterizedTest
    @ValueSource(strings = { "Dockerfile.jvm", "Dockerfile.native" })
    void buildsInOneStageAndRunsUnprivilegedInAnotherFromPinnedImages(String file) throws IOException {
        List<String> lines = Files.readAllLines(DeployFiles.DEPLOY.resolve("images/" + file)).stream()
                .map(String::strip).filter(l -> !l.startsWith("#") && !l.isEmpty()).toList();
        List<String> stages = lines.stream().filter(l -> l.startsWith("FROM ")).toList();

        assertThat(stages).as("a build stage and a runtime stage").hasSize(2);
        assertThat(stages).allSatisfy(from -> assertThat(from.split("\\s+")[1]).matches(".+:[A-Za-z0-9_.-]+")
                .doesNotEndWith(":latest"));
        assertThat(stages.get(0)).endsWith(" AS build");
        List<String> runtime = lines.subList(lines.indexOf(stages.get(1)), lines.size());
        assertThat(runtime).filteredOn(l -> l.startsWith("USER ")).singleElement().asString()
                .doesNotContain("root").matches("USER [1-9][0-9]*(:[1-9][0-9]*)?");
        assertThat(runtime).anyMatch(l -> l.startsWith("COPY --from=build --chown="))
                .anyMatch(l -> l.startsWith("ENTRYPOINT ["));
        assertThat(lines).filteredOn(l -> l.startsWith("ARG SERVICE")).hasSize(3);
    }
}
