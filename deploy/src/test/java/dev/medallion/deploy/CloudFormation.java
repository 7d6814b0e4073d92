package dev.medallion.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** A CloudFormation template read as data: its resources, and the IAM statements in them. */
record CloudFormation(JsonNode template) {
    private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\{([^}]+)}");

    static CloudFormation read(String relative) {
        return new CloudFormation(DeployFiles.yaml(relative));
    }

    JsonNode resource(String logicalId) {
        JsonNode resource = template.path("Resources").path(logicalId);
        if (resource.isMissingNode()) {
            throw new AssertionError("The template has no resource " + logicalId);
        }
        return resource;
    }

    JsonNode properties(String logicalId) {
        return resource(logicalId).path("Properties");
    }

    /** Logical ids of the resources of a type, in template order. */
    List<String> ofType(String type) {
        List<String> ids = new ArrayList<>();
        template.path("Resources").properties().forEach(e -> {
            if (e.getValue().path("Type").asText().equals(type)) {
                ids.add(e.getKey());
            }
        });
        return ids;
    }

    /** An IAM statement, and where it is. */
    record Statement(String resource, JsonNode body) {
        boolean allows() {
            return body.path("Effect").asText().equals("Allow");
        }

        List<String> actions() {
            return DeployFiles.list(body.path("Action")).stream().map(JsonNode::asText).toList();
        }

        List<JsonNode> resources() {
            return DeployFiles.list(body.path("Resource"));
        }
    }

    /**
     * Every statement of a policy document, both branches of an {@code Fn::If} included, and the document itself
     * when it is JSON text in an {@code Fn::Sub} (substitutions replaced by their names).
     */
    static List<Statement> statements(String resource, JsonNode document) {
        List<Statement> statements = new ArrayList<>();
        for (JsonNode candidate : branches(document)) {
            JsonNode doc = candidate;
            if (candidate.has("Fn::Sub") && candidate.path("Fn::Sub").isTextual()) {
                doc = json(candidate.path("Fn::Sub").asText());
            }
            for (JsonNode statement : DeployFiles.list(doc.path("Statement"))) {
                for (JsonNode branch : branches(statement)) {
                    if (branch.has("Effect")) {
                        statements.add(new Statement(resource, branch));
                    }
                }
            }
        }
        return statements;
    }

    /** A value, or each branch of it when it is an {@code Fn::If}. */
    static List<JsonNode> branches(JsonNode node) {
        if (node.has("Fn::If")) {
            return List.of(node.path("Fn::If").get(1), node.path("Fn::If").get(2));
        }
        return List.of(node);
    }

    /** JSON text with {@code ${Name}} substitutions, parsed with each substitution as its name. */
    static JsonNode json(String text) {
        Matcher m = SUBSTITUTION.matcher(text);
        try {
            return DeployFiles.JSON.readTree(m.replaceAll(r -> Matcher.quoteReplacement("<" + r.group(1) + ">")));
        } catch (Exception e) {
            throw new AssertionError("Not JSON after substitution: " + text, e);
        }
    }

    /** The text of a value: a string, or the pattern of an {@code Fn::Sub}, or "Ref:X" / "GetAtt:X.Y". */
    static String text(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.has("Fn::Sub")) {
            JsonNode sub = value.path("Fn::Sub");
            return sub.isArray() ? sub.get(0).asText() : sub.asText();
        }
        if (value.has("Ref")) {
            return "Ref:" + value.path("Ref").asText();
        }
        if (value.has("Fn::GetAtt")) {
            return "GetAtt:" + value.path("Fn::GetAtt").get(0).asText() + "." + value.path("Fn::GetAtt").get(1).asText();
        }
        return value.toString();
    }
}
