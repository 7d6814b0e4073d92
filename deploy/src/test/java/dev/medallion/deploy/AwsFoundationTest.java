package dev.medallion.deploy;

import static dev.medallion.deploy.CloudFormation.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** deploy/aws/medallion.yaml: encrypted, private, TLS-only storage; queues with DLQs; least-privilege roles. */
class AwsFoundationTest {
    private static final CloudFormation STACK = CloudFormation.read("aws/medallion.yaml");
    private static final String LAKE = "arn:${AWS::Partition}:s3:::medallion-lake-${AWS::AccountId}-${AWS::Region}";

    /** What each service may do in the lake: the prefixes it writes, those it only reads, its queues. */
    private record Access(Set<String> writes, Set<String> reads, String consumes, Set<String> sendsTo) {
    }

    private static final Map<String, Access> ACCESS = Map.of(
            "Ingest", new Access(Set.of("bronze/", "_state/ingest/"), Set.of(), "Ingest", Set.of("Transform")),
            "Transform", new Access(Set.of("silver/", "gold/", "quarantine/", "_state/transform/"),
                    Set.of("bronze/", "_state/generations/"), "Transform", Set.of("Catalog", "Compaction")),
            "Compaction", new Access(Set.of("silver/", "_state/compaction/", "_state/generations/"),
                    Set.of("_state/transform/", "_state/catalog/"), "Compaction", Set.of("Catalog")),
            "Catalog", new Access(Set.of("catalog/", "_state/catalog/"), Set.of("silver/", "gold/", "_state/generations/"),
                    "Catalog", Set.of()));

    @Test
    void theLakeBucketIsEncryptedWithTheLakeKeyPrivateTlsOnlyVersionedAndLogged() {
        JsonNode bucket = STACK.properties("LakeBucket");
        JsonNode encryption = bucket.path("BucketEncryption").path("ServerSideEncryptionConfiguration").get(0);
        assertThat(encryption.path("ServerSideEncryptionByDefault").path("SSEAlgorithm").asText()).isEqualTo("aws:kms");
        assertThat(text(encryption.path("ServerSideEncryptionByDefault").path("KMSMasterKeyID")))
                .isEqualTo("GetAtt:LakeKey.Arn");
        assertThat(encryption.path("BucketKeyEnabled").asBoolean()).isTrue();
        assertThat(STACK.properties("LakeKey").path("EnableKeyRotation").asBoolean()).isTrue();
        for (String bucketId : List.of("LakeBucket", "AccessLogBucket")) {
            JsonNode block = STACK.properties(bucketId).path("PublicAccessBlockConfiguration");
            assertThat(List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"))
                    .as(bucketId).allMatch(flag -> block.path(flag).asBoolean());
            assertTlsOnly(bucketId + "Policy", "s3:*");
        }
        assertThat(bucket.path("VersioningConfiguration").path("Status").asText()).isEqualTo("Enabled");
        assertThat(text(bucket.path("LoggingConfiguration").path("DestinationBucketName")))
                .isEqualTo("Ref:AccessLogBucket");
    }

    @Test
    void lifecycleMovesBronzeToGlacierExpiresQuarantineAndAbortsIncompleteUploadsAfterSevenDays() {
        List<JsonNode> rules = DeployFiles.list(STACK.properties("LakeBucket").path("LifecycleConfiguration")
                .path("Rules"));

        assertThat(rules).anySatisfy(r -> {
            assertThat(r.path("Prefix").asText()).isEqualTo("bronze/");
            assertThat(r.path("Transitions").get(0).path("StorageClass").asText()).isEqualTo("GLACIER");
            assertThat(text(r.path("Transitions").get(0).path("TransitionInDays"))).isEqualTo("Ref:BronzeToGlacierDays");
        });
        assertThat(rules).anySatisfy(r -> {
            assertThat(r.path("Prefix").asText()).isEqualTo("quarantine/");
            assertThat(text(r.path("ExpirationInDays"))).isEqualTo("Ref:QuarantineExpirationDays");
        });
        assertThat(rules).anySatisfy(r -> {
            assertThat(r.has("Prefix")).as("every prefix").isFalse();
            assertThat(r.path("AbortIncompleteMultipartUpload").path("DaysAfterInitiation").asInt()).isEqualTo(7);
        });
        assertThat(rules).as("versions replaced by compaction do not pile up")
                .anyMatch(r -> r.has("NoncurrentVersionExpiration"));
    }

    @Test
    void everyQueueIsEncryptedTlsOnlyAndRedrivesToItsDeadLetterQueue() {
        List<String> queues = STACK.ofType("AWS::SQS::Queue");

        assertThat(queues).hasSize(8);
        for (String queue : queues) {
            JsonNode properties = STACK.properties(queue);
            assertThat(properties.path("SqsManagedSseEnabled").asBoolean()).as(queue).isTrue();
            if (!queue.endsWith("DeadLetterQueue")) {
                String dlq = queue.replace("Queue", "DeadLetterQueue");
                assertThat(text(properties.path("RedrivePolicy").path("deadLetterTargetArn"))).as(queue)
                        .isEqualTo("GetAtt:" + dlq + ".Arn");
                assertThat(properties.path("RedrivePolicy").path("maxReceiveCount").asInt()).isEqualTo(5);
                assertThat(properties.path("QueueName").asText()).isEqualTo(
                        "medallion-" + queue.replace("Queue", "").toLowerCase());
            }
            assertThat(STACK.ofType("AWS::SQS::QueuePolicy")).as("%s is covered by a TLS-only policy", queue)
                    .anySatisfy(policy -> {
                        assertThat(DeployFiles.list(STACK.properties(policy).path("Queues")).stream()
                                .map(CloudFormation::text)).contains("Ref:" + queue);
                        assertTlsOnly(policy, "sqs:*");
                    });
        }
    }

    @Test
    void bronzeObjectsAnyToolPutsAreAnnouncedToTheTransformQueue() {
        JsonNode notification = STACK.properties("LakeBucket").path("NotificationConfiguration")
                .path("QueueConfigurations").get(0);

        assertThat(notification.path("Event").asText()).isEqualTo("s3:ObjectCreated:*");
        assertThat(text(notification.path("Queue"))).isEqualTo("GetAtt:TransformQueue.Arn");
        assertThat(notification.path("Filter").path("S3Key").path("Rules").get(0).path("Value").asText())
                .isEqualTo("bronze/");
        assertThat(CloudFormation.statements("TransformQueuePolicy", STACK.properties("TransformQueuePolicy")
                .path("PolicyDocument"))).anySatisfy(s -> {
                    assertThat(s.allows()).isTrue();
                    assertThat(s.body().path("Principal").path("Service").asText()).isEqualTo("s3.amazonaws.com");
                    assertThat(s.body().path("Condition").path("ArnLike").has("aws:SourceArn")).isTrue();
                });
    }

    @Test
    void noStatementAllowsEveryActionOfAServiceOrEveryResource() {
        List<CloudFormation.Statement> statements = new ArrayList<>();
        for (String type : List.of("AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy")) {
            STACK.ofType(type).forEach(id -> statements.addAll(
                    CloudFormation.statements(id, STACK.properties(id).path("PolicyDocument"))));
        }
        for (String role : STACK.ofType("AWS::IAM::Role")) {
            for (JsonNode policy : DeployFiles.list(STACK.properties(role).path("Policies"))) {
                statements.addAll(CloudFormation.statements(role, policy.path("PolicyDocument")));
            }
        }
        List<CloudFormation.Statement> keyPolicy = CloudFormation.statements("LakeKey",
                STACK.properties("LakeKey").path("KeyPolicy"));

        assertThat(statements).hasSizeGreaterThan(20).filteredOn(CloudFormation.Statement::allows)
                .allSatisfy(s -> {
                    assertThat(s.actions()).as(s.resource()).noneMatch(a -> a.equals("*") || a.endsWith(":*"));
                    assertThat(s.resources()).as(s.resource()).noneMatch(r -> text(r).equals("*"));
                });
        assertThat(keyPolicy).filteredOn(CloudFormation.Statement::allows)
                .allSatisfy(s -> assertThat(s.actions()).noneMatch(a -> a.equals("*") || a.equals("kms:*")))
                .filteredOn(s -> s.actions().contains("kms:Decrypt"))
                .as("data keys are used only through S3").allSatisfy(s -> assertThat(
                        s.body().path("Condition").path("StringEquals").has("kms:ViaService")).isTrue());
    }

    @Test
    void eachServiceRoleReachesOnlyItsOwnPrefixesQueuesAndTheLakeDatabase() {
        for (Map.Entry<String, Access> service : ACCESS.entrySet()) {
            String role = service.getKey() + "ServiceRole";
            Access access = service.getValue();
            List<CloudFormation.Statement> statements = new ArrayList<>();
            DeployFiles.list(STACK.properties(role).path("Policies")).forEach(
                    p -> statements.addAll(CloudFormation.statements(role, p.path("PolicyDocument"))));

            Set<String> written = prefixes(statements, "s3:PutObject");
            Set<String> read = prefixes(statements, "s3:GetObject");
            assertThat(written).as(role).isEqualTo(access.writes());
            assertThat(read).as(role).isEqualTo(union(access.writes(), access.reads()));
            assertThat(statements).filteredOn(s -> s.actions().contains("s3:ListBucket")).as(role)
                    .singleElement().satisfies(s -> {
                        assertThat(s.resources()).extracting(CloudFormation::text).containsExactly(LAKE);
                        assertThat(DeployFiles.list(s.body().path("Condition").path("StringLike").path("s3:prefix")))
                                .as("listing only below its prefixes").isNotEmpty();
                    });
            Set<String> queues = statements.stream().filter(s -> s.actions().stream().anyMatch(a -> a.startsWith("sqs:")))
                    .flatMap(s -> s.resources().stream()).map(CloudFormation::text).collect(Collectors.toSet());
            Set<String> own = access.sendsTo().stream().map(q -> "GetAtt:" + q + "Queue.Arn")
                    .collect(Collectors.toSet());
            own.add("GetAtt:" + access.consumes() + "Queue.Arn");
            own.add("GetAtt:" + access.consumes() + "DeadLetterQueue.Arn");
            assertThat(queues).as(role).isEqualTo(own);
            assertThat(statements).filteredOn(s -> s.actions().contains("sqs:ReceiveMessage")).as(role)
                    .allSatisfy(s -> assertThat(s.resources()).extracting(CloudFormation::text)
                            .containsExactly("GetAtt:" + access.consumes() + "Queue.Arn"));
            List<CloudFormation.Statement> glue = statements.stream()
                    .filter(s -> s.actions().stream().anyMatch(a -> a.startsWith("glue:"))).toList();
            if (service.getKey().equals("Catalog")) {
                assertThat(glue).singleElement().satisfies(s -> assertThat(s.resources()).extracting(CloudFormation::text)
                        .allMatch(r -> r.endsWith(":catalog") || r.endsWith(":database/${GlueDatabaseName}")
                                || r.endsWith(":table/${GlueDatabaseName}/*")));
            } else {
                assertThat(glue).as(role).isEmpty();
            }
            assertThat(statements).as("%s uses the lake key through the key policy only", role)
                    .noneMatch(s -> s.actions().stream().anyMatch(a -> a.startsWith("kms:")));
        }
        List<String> keyUsers = CloudFormation.statements("LakeKey", STACK.properties("LakeKey").path("KeyPolicy"))
                .stream().filter(s -> s.actions().contains("kms:GenerateDataKey"))
                .flatMap(s -> DeployFiles.list(s.body().path("Principal").path("AWS")).stream())
                .map(CloudFormation::text).toList();
        assertThat(keyUsers).containsExactlyInAnyOrder("GetAtt:IngestServiceRole.Arn", "GetAtt:TransformServiceRole.Arn",
                "GetAtt:CompactionServiceRole.Arn", "GetAtt:CatalogServiceRole.Arn");
    }

    @Test
    void eachRoleIsForEcsTasksAndTheServicesOwnKubernetesServiceAccount() {
        for (String service : ACCESS.keySet()) {
            String role = service + "ServiceRole";
            String name = service.toLowerCase() + "-service";
            assertThat(STACK.properties(role).path("RoleName").asText()).isEqualTo("medallion-" + name);
            List<CloudFormation.Statement> trust = CloudFormation.statements(role,
                    STACK.properties(role).path("AssumeRolePolicyDocument"));

            assertThat(trust).allSatisfy(s -> assertThat(s.actions())
                    .containsAnyOf("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"));
            assertThat(trust).anySatisfy(s -> assertThat(s.body().path("Principal").path("Service").asText())
                    .isEqualTo("ecs-tasks.amazonaws.com"));
            assertThat(trust).filteredOn(s -> s.actions().contains("sts:AssumeRoleWithWebIdentity"))
                    .as("%s: the pods of the service's own service account, and nobody else's (KEDA has its own role)",
                            role)
                    .singleElement().satisfies(s -> {
                        assertThat(s.actions()).containsExactly("sts:AssumeRoleWithWebIdentity");
                        JsonNode equals = s.body().path("Condition").path("StringEquals");
                        assertThat(equals.path("<EksOidcProvider>:sub").asText())
                                .isEqualTo("system:serviceaccount:<KubernetesNamespace>:" + name);
                        assertThat(equals.path("<EksOidcProvider>:aud").asText()).isEqualTo("sts.amazonaws.com");
                    });
        }
    }

    @Test
    void everyRoleListsExactlyThePrefixesItReadsSoAMissingKeyIsA404() {
        // S3 answers a GET or HEAD of a missing key with 404 only to a caller that may list the key's prefix, else 403;
        // the services take 404 for "not there yet"
        List<String> readers = STACK.ofType("AWS::IAM::Role").stream()
                .filter(role -> !prefixes(roleStatements(role), "s3:GetObject").isEmpty()).toList();

        assertThat(readers).as("every service role reads the lake").containsAll(ACCESS.keySet().stream()
                .map(service -> service + "ServiceRole").toList());
        for (String role : readers) {
            List<CloudFormation.Statement> statements = roleStatements(role);
            Set<String> listed = statements.stream().filter(s -> s.allows() && s.actions().contains("s3:ListBucket"))
                    .flatMap(s -> DeployFiles.list(s.body().path("Condition").path("StringLike").path("s3:prefix"))
                            .stream())
                    .map(JsonNode::asText).map(p -> {
                        assertThat(p).as(role).endsWith("/*");
                        return p.substring(0, p.length() - 1);
                    }).collect(Collectors.toSet());

            assertThat(listed).as("%s lists exactly the prefixes it may GetObject", role)
                    .isEqualTo(prefixes(statements, "s3:GetObject"));
        }
    }

    @Test
    void kedaReadsOnlyTheDepthOfTheQueuesItsTriggersNameWithItsOwnServiceAccount() {
        JsonNode role = STACK.resource("KedaQueueReaderRole");
        assertThat(role.path("Condition").asText()).isEqualTo("OnEks");
        assertThat(role.path("Properties").path("RoleName").asText()).isEqualTo("medallion-keda-queue-reader");
        assertThat(STACK.template().path("Parameters").path("KedaNamespace").path("Default").asText()).isEqualTo("keda");
        assertThat(STACK.template().path("Parameters").path("KedaServiceAccount").path("Default").asText())
                .as("the service account of KEDA's Helm chart").isEqualTo("keda-operator");
        assertThat(CloudFormation.statements("KedaQueueReaderRole", role.path("Properties")
                .path("AssumeRolePolicyDocument"))).as("only the KEDA operator's pods, by their web identity")
                .singleElement().satisfies(s -> {
                    assertThat(s.actions()).containsExactly("sts:AssumeRoleWithWebIdentity");
                    assertThat(s.body().path("Principal").path("Federated").asText()).endsWith(
                            ":oidc-provider/<EksOidcProvider>");
                    JsonNode equals = s.body().path("Condition").path("StringEquals");
                    assertThat(equals.path("<EksOidcProvider>:sub").asText())
                            .isEqualTo("system:serviceaccount:<KedaNamespace>:<KedaServiceAccount>");
                    assertThat(equals.path("<EksOidcProvider>:aud").asText()).isEqualTo("sts.amazonaws.com");
                });

        // what the rendered ScaledObjects read, and with which role
        List<JsonNode> objects = DeployFiles.render("production");
        Set<String> triggered = DeployFiles.ofKind(objects, "ScaledObject").stream()
                .flatMap(o -> DeployFiles.list(o.path("spec").path("triggers")).stream())
                .filter(t -> t.path("type").asText().equals("aws-sqs-queue"))
                .map(t -> t.path("metadata").path("queueURL").asText()).collect(Collectors.toSet());
        Map<String, String> queueIds = STACK.ofType("AWS::SQS::Queue").stream().collect(Collectors.toMap(
                id -> STACK.properties(id).path("QueueName").asText(), id -> "GetAtt:" + id + ".Arn"));
        List<CloudFormation.Statement> statements = roleStatements("KedaQueueReaderRole");

        assertThat(triggered).as("the queues KEDA reads, the transform and compaction dead-letter queues among them")
                .contains("medallion-transform-dlq", "medallion-compaction-dlq");
        assertThat(statements).allSatisfy(s -> assertThat(s.actions()).containsExactly("sqs:GetQueueAttributes"));
        assertThat(statements.stream().flatMap(s -> s.resources().stream()).map(CloudFormation::text))
                .as("exactly the queues the triggers name")
                .containsExactlyInAnyOrderElementsOf(triggered.stream().map(queueIds::get).toList());
        String account = DeployFiles.ofKind(objects, "ConfigMap").stream()
                .filter(c -> DeployFiles.name(c).startsWith("medallion-settings")).findFirst().orElseThrow()
                .path("data").path("AWS_ACCOUNT_ID").asText();
        assertThat(DeployFiles.ofKind(objects, "TriggerAuthentication")).singleElement().satisfies(auth -> {
            JsonNode identity = auth.path("spec").path("podIdentity");
            assertThat(identity.path("provider").asText()).isEqualTo("aws");
            assertThat(identity.path("roleArn").asText()).isEqualTo("arn:aws:iam::" + account + ":role/"
                    + role.path("Properties").path("RoleName").asText());
            assertThat(identity.has("identityOwner")).as("KEDA does not take the services' roles").isFalse();
        });
        assertThat(STACK.template().path("Outputs").path("KedaQueueReaderRoleArn").path("Condition").asText())
                .isEqualTo("OnEks");
    }

    @Test
    void privateSubnetsGetAnEndpointForEveryServiceTheServicesKedaAndFargateCall() {
        Map<String, List<String>> endpoints = STACK.ofType("AWS::EC2::VPCEndpoint").stream().collect(
                Collectors.groupingBy(id -> STACK.resource(id).path("Condition").asText(), Collectors.mapping(
                        id -> text(STACK.properties(id).path("ServiceName"))
                                .replace("com.amazonaws.${AWS::Region}.", ""),
                        Collectors.toList())));

        assertThat(endpoints).containsOnlyKeys("WithVpcEndpoints", "WithEcsVpcEndpoints");
        assertThat(endpoints.get("WithVpcEndpoints")).as("what the services call; STS for IRSA (pods and KEDA)")
                .containsExactlyInAnyOrder("s3", "sqs", "glue", "kms", "sts");
        assertThat(endpoints.get("WithEcsVpcEndpoints"))
                .as("what Fargate calls to start a task: the image, the awslogs driver, the task's secrets")
                .containsExactlyInAnyOrder("ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm");
        assertThat(STACK.template().path("Conditions").path("WithEcsVpcEndpoints").path("Fn::And").toString())
                .as("the Fargate endpoints come with the services' own").contains("WithVpcEndpoints");
        for (String id : STACK.ofType("AWS::EC2::VPCEndpoint")) {
            JsonNode endpoint = STACK.properties(id);
            if (endpoint.path("VpcEndpointType").asText().equals("Gateway")) {
                assertThat(text(endpoint.path("RouteTableIds"))).isEqualTo("Ref:PrivateRouteTableIds");
            } else {
                assertThat(endpoint.path("PrivateDnsEnabled").asBoolean()).as("%s: the SDKs' default names", id)
                        .isTrue();
                assertThat(text(endpoint.path("SubnetIds"))).isEqualTo("Ref:PrivateSubnetIds");
                assertThat(DeployFiles.list(endpoint.path("SecurityGroupIds"))).extracting(CloudFormation::text)
                        .containsExactly("Ref:EndpointSecurityGroup");
            }
        }
        // the ECS services use what those endpoints serve
        assertThat(DeployFiles.yaml("ecs/medallion-ecs.yaml").toString()).contains("\"LogDriver\":\"awslogs\"",
                "ecr:BatchGetImage", "secretsmanager:GetSecretValue", "ssm:GetParameters");
    }

    @Test
    void aConsumerAccountAndTheGlueDatabaseAreThere() {
        List<CloudFormation.Statement> bucket = CloudFormation.statements("LakeBucketPolicy",
                STACK.properties("LakeBucketPolicy").path("PolicyDocument"));
        assertThat(bucket).filteredOn(s -> s.allows() && s.actions().contains("s3:GetObject")).singleElement()
                .satisfies(s -> assertThat(s.resources()).extracting(CloudFormation::text)
                        .containsExactly("${LakeBucket.Arn}/silver/*", "${LakeBucket.Arn}/gold/*"));
        assertThat(STACK.template().path("Outputs").path("GlueConsumerResourcePolicy").path("Condition").asText())
                .isEqualTo("HasConsumer");
        JsonNode consumerGlue = CloudFormation.json(text(STACK.template().path("Outputs")
                .path("GlueConsumerResourcePolicy").path("Value")));
        assertThat(DeployFiles.list(consumerGlue.path("Statement").get(0).path("Action"))).extracting(JsonNode::asText)
                .allMatch(a -> a.startsWith("glue:Get"));

        assertThat(text(STACK.properties("GlueDatabase").path("DatabaseInput").path("Name")))
                .isEqualTo("Ref:GlueDatabaseName");
    }

    /** The statements of a role's policies. */
    private static List<CloudFormation.Statement> roleStatements(String role) {
        List<CloudFormation.Statement> statements = new ArrayList<>();
        DeployFiles.list(STACK.properties(role).path("Policies")).forEach(
                p -> statements.addAll(CloudFormation.statements(role, p.path("PolicyDocument"))));
        return statements;
    }

    /** The prefixes of the lake's objects the statements allow {@code action} on. */
    private static Set<String> prefixes(List<CloudFormation.Statement> statements, String action) {
        return statements.stream().filter(s -> s.allows() && s.actions().contains(action))
                .flatMap(s -> s.resources().stream()).map(CloudFormation::text).map(r -> {
                    assertThat(r).startsWith(LAKE + "/").endsWith("*");
                    return r.substring(LAKE.length() + 1, r.length() - 1);
                }).collect(Collectors.toSet());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
    }

    private static void assertTlsOnly(String policy, String action) {
        assertThat(CloudFormation.statements(policy, STACK.properties(policy).path("PolicyDocument")))
                .as("%s denies requests without TLS", policy).anySatisfy(s -> {
                    assertThat(s.allows()).isFalse();
                    assertThat(s.actions()).containsExactly(action);
                    assertThat(s.body().path("Principal").asText()).isEqualTo("*");
                    assertThat(s.body().path("Condition").path("Bool").path("aws:SecureTransport").asText())
                            .isEqualTo("false");
                });
    }
}
