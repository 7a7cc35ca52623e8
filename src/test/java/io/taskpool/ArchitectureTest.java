package io.taskpool;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package rules of STYLE: the worker side stays JDK-only, and dependencies point one way. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.taskpool");
    }

    @Test
    void workerRuntimeUsesOnlyTheJdkTheSpiAndTheProtocol() {
        classes().that().resideInAPackage("io.taskpool.worker.runtime..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.taskpool.worker.runtime..",
                        "io.taskpool.worker.protocol..", "io.taskpool.spi..")
                .check(classes);
    }

    @Test
    void protocolAndSpiUseOnlyTheJdk() {
        classes().that().resideInAnyPackage("io.taskpool.worker.protocol..", "io.taskpool.spi..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.taskpool.worker.protocol..",
                        "io.taskpool.spi..")
                .check(classes);
    }

    @Test
    void theTaskDomainDependsOnNoOtherPackageOfOurs() {
        noClasses().that().resideInAPackage("io.taskpool.task..")
                .should().dependOnClassesThat().resideInAnyPackage("io.taskpool.api..", "io.taskpool.store..",
                        "io.taskpool.worker..", "io.taskpool.config..")
                .check(classes);
    }

    @Test
    void theStoreAndTheWorkersDoNotKnowTheApi() {
        noClasses().that().resideInAnyPackage("io.taskpool.store..", "io.taskpool.worker..")
                .should().dependOnClassesThat().resideInAPackage("io.taskpool.api..")
                .check(classes);
        noClasses().that().resideInAPackage("io.taskpool.worker..")
                .should().dependOnClassesThat().resideInAPackage("io.taskpool.store..")
                .check(classes);
    }

    @Test
    void theApiKnowsOnlyTheTaskDomain() {
        noClasses().that().resideInAPackage("io.taskpool.api..")
                .should().dependOnClassesThat().resideInAnyPackage("io.taskpool.store..", "io.taskpool.worker..",
                        "io.taskpool.config..")
                .check(classes);
    }

    @Test
    void onlyTheApplicationKnowsTheWiring() {
        noClasses().that().resideInAnyPackage("io.taskpool.api..", "io.taskpool.task..", "io.taskpool.store..",
                        "io.taskpool.worker..", "io.taskpool.spi..")
                .should().dependOnClassesThat().resideInAPackage("io.taskpool.config..")
                .check(classes);
    }

    @Test
    void packagesFormNoCycles() {
        slices().matching("io.taskpool.(*)..").should().beFreeOfCycles().check(classes);
    }
}
