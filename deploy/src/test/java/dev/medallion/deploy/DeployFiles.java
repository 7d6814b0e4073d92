package dev.medallion.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** The files under deploy/, read as data, and the tools that render and check them. */
final class DeployFiles {
    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new JsonMapper();
    /** deploy/ itself: the module's folder, where the tests run. */
    static final Path DEPLOY = Path.of("").toAbsolutePath();

    private DeployFiles() {
    }

    static JsonNode yaml(String relative) {
        try {
            return YAML.readTree(DEPLOY.resolve(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every object an overlay renders to, as kustomize builds it. */
    static List<JsonNode> render(String overlay) {
        String yaml = run(kustomize(DEPLOY.resolve("k8s/overlays/" + overlay).toString()));
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(n -> {
                if (n != null && !n.isNull()) {
                    objects.add(n);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }

    /**
     * kustomize from {@code -Dmedallion.kustomize}, else a {@code kustomize} on the PATH, else {@code kubectl
     * kustomize}. .ci/run installs one.
     */
    private static List<String> kustomize(String dir) {
        Optional<String> configured = Optional.ofNullable(System.getProperty("medallion.kustomize"))
                .filter(s -> !s.isBlank());
        if (configured.isPresent()) {
            return List.of(configured.get(), "build", dir);
        }
        if (onPath("kustomize")) {
            return List.of("kustomize", "build", dir);
        }
        if (onPath("kubectl")) {
            return List.of("kubectl", "kustomize", dir);
        }
        throw new IllegalStateException("Cannot render the Kubernetes overlays: neither kustomize nor kubectl is on the "
                + "PATH (install kustomize, or pass -Dmedallion.kustomize=/path/to/kustomize; .ci/run installs it)");
    }

    static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    /** Runs a command and returns what it printed; fails with its output unless it exits 0. */
    static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    static List<JsonNode> list(JsonNode node) {
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(items::add);
        } else if (!node.isMissingNode() && !node.isNull()) {
            items.add(node);
        }
        return items;
    }
}
