package io.taskpool.support;

import io.restassured.RestAssured;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes {@link SpecConformanceFilter#forServiceContract()} one of REST-assured's default filters,
 * so every call made through {@code RestAssured.given()}, in any test class or helper, is checked
 * against the contract without the test asking for it.
 *
 * <p>Jupiter registers it for every test class: it is listed in
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension}, and
 * {@code junit-platform.properties} turns on extension auto-detection for this extension only. It
 * installs the filter before each class and each test, before their own set-up methods run, and
 * only if it is missing: once per JVM in practice, and again after a test that called
 * {@code RestAssured.reset()}, which drops every default filter.
 */
public final class SpecConformanceExtension implements BeforeAllCallback, BeforeEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        install();
    }

    private static void install() {
        SpecConformanceFilter filter = SpecConformanceFilter.forServiceContract();
        if (!RestAssured.filters().contains(filter)) {
            RestAssured.filters(filter);
        }
    }
}
