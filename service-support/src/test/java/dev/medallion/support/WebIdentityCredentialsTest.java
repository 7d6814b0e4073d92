package dev.medallion.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * On EKS a service takes its IAM role from the web identity token the pod identity webhook mounts (deploy/k8s): the
 * SDK's default credentials chain trades it for credentials at STS, which it can only with the STS module on the class
 * path. Here STS is a loopback stand-in, and the pod's settings are the SDK's system properties for the variables the
 * webhook sets (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_REGION).
 */
class WebIdentityCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void thePodsWebIdentityTokenBecomesTheRolesCredentials() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "eyJ.pod-token.sig");
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer sts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sts.createContext("/", exchange -> {
            requests.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] answer = ("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                    + "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId>"
                    + "<SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-session</SessionToken>"
                    + "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
                    + "</AssumeRoleWithWebIdentityResponse>").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        sts.start();
        List<String> properties = List.of("aws.webIdentityTokenFile", "aws.roleArn", "aws.region", "aws.endpointUrlSts");
        try {
            System.setProperty("aws.webIdentityTokenFile", token.toString());
            System.setProperty("aws.roleArn", "arn:aws:iam::123456789012:role/medallion-ingest-service");
            System.setProperty("aws.region", "eu-west-1");
            System.setProperty("aws.endpointUrlSts", "http://127.0.0.1:" + sts.getAddress().getPort());

            var credentials = DefaultCredentialsProvider.builder().build().resolveCredentials();

            assertThat(credentials).isInstanceOfSatisfying(AwsSessionCredentials.class, c -> {
                assertThat(c.accessKeyId()).isEqualTo("ASIAROLE");
                assertThat(c.sessionToken()).isEqualTo("role-session");
            });
            assertThat(requests).singleElement().asString().contains("Action=AssumeRoleWithWebIdentity")
                    .contains("medallion-ingest-service").contains("WebIdentityToken=eyJ.pod-token.sig");
        } finally {
            properties.forEach(System::clearProperty);
            sts.stop(0);
        }
    }
}
