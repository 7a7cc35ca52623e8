package io.taskpool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.response.Response;
import io.taskpool.support.ServiceTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The warm spare: a worker killed with its task is replaced at once by the spare, a process that
 * had said hello before the kill, and a new spare starts behind it. The spare's own crash counts
 * as a restart.
 */
class WarmSpareIT extends ServiceTest {

    /** The spare's pid once it has said hello; null while there is none or it is starting. */
    private Long readySpare() {
        Response pool = api().get("/api/v1/workers").then().statusCode(200).extract().response();
        Number pid = pool.path("spare.pid");
        return pid != null && "IDLE".equals(pool.path("spare.state")) ? pid.longValue() : null;
    }

    @Test
    void aKilledWorkersPlaceIsTakenByTheReadySpareAndANewSpareStarts() {
        awaitFullPool();
        await().atMost(DEADLINE).until(() -> readySpare() != null);
        long spare = readySpare();
        assertThat(alive(spare)).isTrue();
        assertThat(workerPids()).doesNotContain(spare);
        assertThat(api().get("/api/v1/workers").<Integer>path("spare.id")).isZero();

        String victim = submit("sleep", Map.of("ms", 60_000));
        await().atMost(DEADLINE).until(() -> task(victim).path("workerPid") != null);
        long killed = task(victim).<Number>path("workerPid").longValue();
        ProcessHandle.of(killed).orElseThrow().destroyForcibly();

        assertThat(awaitTerminal(victim).<String>path("error.code")).isEqualTo("WORKER_CRASHED");
        awaitFullPool();
        assertThat(workerPids()).hasSize(WORKERS).doesNotContain(killed).contains(spare);
        await().atMost(DEADLINE).until(() -> readySpare() != null && readySpare() != spare);
        assertThat(workerPids()).doesNotContain(readySpare());
        assertThat(awaitTerminal(submit("noop", Map.of())).<String>path("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void aSpareThatCrashesIsReplacedAndCountedAsARestart() {
        awaitFullPool();
        await().atMost(DEADLINE).until(() -> readySpare() != null);
        long spare = readySpare();
        long crashesBefore = crashes();

        ProcessHandle.of(spare).orElseThrow().destroyForcibly();

        await().atMost(DEADLINE).until(() -> readySpare() != null && readySpare() != spare);
        assertThat(crashes()).isEqualTo(crashesBefore + 1);
        assertThat(workerPids()).hasSize(WORKERS).doesNotContain(spare);
    }

    private long crashes() {
        Number crashes = api().get("/api/v1/workers").path("restartsByReason.crash");
        return crashes == null ? 0 : crashes.longValue();
    }
}
