package dev.llmproxy;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The structure docs/architecture.md promises, checked on the compiled main classes: no two packages import each
 * other, directly or around a loop (each sub-package, such as {@code capture.store}, is a package of its own).
 */
class PackageLayersTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.llmproxy");

  @Test
  void noPackageCycles() {
    slices().matching("dev.llmproxy.(**)").should().beFreeOfCycles().check(MAIN);
  }
}
