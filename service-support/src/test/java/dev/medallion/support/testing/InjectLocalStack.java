package dev.medallion.support.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link LocalStack} field of a test class that {@link LocalStackResource} fills with its running stack:
 * tests of a packaged service ({@code @QuarkusIntegrationTest}) cannot inject the service's own clients.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectLocalStack {
}
