package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeyHashTest {

    @Test
    void theTestKeysHashAsConfigured() {
        assertThat(ApiKeyAuthenticationProvider.sha256("acme-key")).isEqualTo(SecurityIT.ACME_HASH);
        assertThat(ApiKeyAuthenticationProvider.sha256("ops-admin")).isEqualTo(SecurityIT.ADMIN_HASH);
    }

    @Test
    void aKeyHashesLikeSha256sumDoes() {
        // printf %s test | sha256sum
        assertThat(ApiKeyAuthenticationProvider.sha256("test"))
                .isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    }
}
