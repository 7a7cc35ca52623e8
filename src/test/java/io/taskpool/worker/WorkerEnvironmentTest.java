package io.taskpool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerEnvironmentTest {

    private static final Map<String, String> SERVICE = Map.ofEntries(
            Map.entry("PATH", "/usr/bin:/bin"),
            Map.entry("HOME", "/home/taskpool"),
            Map.entry("LC_ALL", "C.UTF-8"),
            Map.entry("LOGNAME", "taskpool"),
            Map.entry("JAVA_TOOL_OPTIONS", "-Xmx4g"),
            Map.entry("SPRING_DATASOURCE_PASSWORD", "db-password"),
            Map.entry("SPRING_DATASOURCE_URL", "jdbc:postgresql://db/taskpool"),
            Map.entry("TASKPOOL_SECURITY_API_KEYS_0_KEY_SHA256", "0f0f"),
            Map.entry("MY_REGION", "eu-test"),
            Map.entry("MY_SECRET_TOKEN", "token"),
            Map.entry("MY_API_KEY", "key"),
            Map.entry("MY_DB_PASSWORD", "pw"),
            Map.entry("my_github_token", "lower-case token"));

    @Test
    void onlyAllowedVariablesReachTheWorker() {
        Map<String, String> worker = WorkerEnvironment.forWorker(SERVICE, List.of("PATH", "HOME", "LC_*", "TZ"));

        assertThat(worker).isEqualTo(Map.of("PATH", "/usr/bin:/bin", "HOME", "/home/taskpool", "LC_ALL", "C.UTF-8"));
    }

    @Test
    void aPrefixNeverLetsSecretsOrServiceConfigurationThrough() {
        Map<String, String> worker = WorkerEnvironment.forWorker(SERVICE,
                List.of("MY_*", "my_*", "SP*", "T*", "J*"));

        assertThat(worker).isEqualTo(Map.of("MY_REGION", "eu-test"));
    }

    @Test
    void namesMatchExactlyAsTheOperatingSystemComparesThem() {
        assertThat(WorkerEnvironment.forWorker(Map.of("Path", "/bin", "PATHEXT", ".x"), List.of("PATH"))).isEmpty();
    }

    @Test
    void theDefaultAllowListIsAccepted() {
        assertThatNoException().isThrownBy(() -> WorkerEnvironment.checkAllowList(
                List.of("PATH", "HOME", "LANG", "LC_*", "TZ", "TMPDIR", "MY_*", "_X")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SPRING_DATASOURCE_PASSWORD", "SPRING_*", "TASKPOOL_*", "TASKPOOL_SECURITY_API_KEYS",
            "JAVA_TOOL_OPTIONS", "MY_SECRET_TOKEN", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "api_key",
            "DB_PASSWD", "GOOGLE_APPLICATION_CREDENTIALS", "BASIC_AUTH"})
    void listingASecretOrTheServicesConfigurationIsRefused(String entry) {
        assertThatIllegalArgumentException().isThrownBy(() -> WorkerEnvironment.checkAllowList(List.of("PATH", entry)))
                .withMessageStartingWith("taskpool.workers.inherited-environment: '" + entry + "' would pass")
                .withMessageContaining("taskpool.programs.<type>.env");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "", "A B", "LC_*_X", "1ABC", "PATH=x"})
    void anEntryIsANameOrAPrefix(String entry) {
        assertThatIllegalArgumentException().isThrownBy(() -> WorkerEnvironment.checkAllowList(List.of(entry)))
                .withMessageContaining("neither a variable's name nor a prefix ending in *");
    }
}
