package io.vda.command.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vda.command.cli.ExitCodes;
import io.vda.command.cli.VdaCli;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code vda} CLI against a real gateway (in-process picocli, real HTTP, Kafka and etcd). */
@ExtendWith(LocalClusterExtension.class)
class VdaCliIT {

    private static GatewayFixture gw;

    @BeforeAll
    static void setUp(TestCluster cluster) {
        gw = new GatewayFixture(cluster, Map.of("VDA_API_TOKENS", "cli-token"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        gw.close();
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run vda(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--token")) {
            all.addAll(List.of("--api", gw.base, "--token", "cli-token"));
        } else {
            all.addAll(List.of("--api", gw.base));
        }
        int exit = VdaCli.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldCreateAndShowResourcesWaitingForTheOutcome() throws Exception {
        Run dn = vda("dn", "create", "cli-dn1", "--tr-addr", "127.0.0.1", "--tr-svc-id", "4420", "--location", "r1");
        assertThat(dn.exit()).as(dn.err()).isEqualTo(ExitCodes.OK);
        assertThat(dn.out()).contains("NAME").contains("cli-dn1").contains("tcp://127.0.0.1:4420").contains("ready");
        assertThat(dn.err()).contains("CreateDiskNode cli-dn1: pending").contains("succeeded");

        Run pd = vda("pd", "create", "cli-dn1", "pd1", "--type", "malloc", "--size", "1GiB");
        assertThat(pd.exit()).as(pd.err()).isEqualTo(ExitCodes.OK);
        assertThat(pd.out()).contains("MALLOC").contains("1GiB");

        Run da = vda("da", "create", "cli-db1", "--size", "10GiB", "--strip-cnt", "2", "--rw-ios-per-sec", "100");
        assertThat(da.exit()).as(da.err()).isEqualTo(ExitCodes.OK);
        assertThat(da.out()).contains("cli-db1").contains("10GiB").contains("2x64KiB");

        Run json = vda("da", "get", "cli-db1", "-o", "json");
        JsonNode doc = GatewayFixture.JSON.readTree(json.out());
        assertThat(doc.path("spec").path("qos").path("rwIosPerSec").asLong()).isEqualTo(100);

        Run list = vda("pd", "list", "cli-dn1");
        assertThat(list.out()).contains("pd1");

        Run exp = vda("exp", "create", "cli-db1", "e1", "--host-nqn", "nqn.2024-01.io.example:host1");
        assertThat(exp.exit()).as(exp.err()).isEqualTo(ExitCodes.OK);
        assertThat(vda("exp", "modify", "cli-db1", "e1", "--no-hosts").exit()).isEqualTo(ExitCodes.OK);

        Run modify = vda("dn", "modify", "cli-dn1", "--offline");
        assertThat(modify.exit()).isEqualTo(ExitCodes.OK);
        assertThat(modify.out()).contains("true");

        Run delete = vda("exp", "delete", "cli-db1", "e1");
        assertThat(delete.exit()).isEqualTo(ExitCodes.OK);
        assertThat(delete.out()).contains("Deleted exporter cli-db1/e1");
    }

    @Test
    void shouldExitNonZeroWithTheReasonWhenRejected() {
        Run huge = vda("da", "create", "cli-huge", "--size", "4TiB");

        assertThat(huge.exit()).isEqualTo(ExitCodes.REJECTED);
        assertThat(huge.err()).contains("Command rejected: INSUFFICIENT_CAPACITY").doesNotContain("Exception");
    }

    @Test
    void shouldPrintEachBadFieldWithoutAStackTrace() {
        Run bad = vda("da", "create", "cli-bad", "--size", "1000", "--strip-size-kb", "3");

        assertThat(bad.exit()).isEqualTo(ExitCodes.INVALID);
        assertThat(bad.err()).contains("Error: The request is invalid").contains("sizeBytes: must be a multiple of 4 MiB")
                .contains("stripSizeKb: ").doesNotContain("\tat ");
    }

    @Test
    void shouldReturnAtOnceWithNoWait() {
        Run accepted = vda("da", "create", "cli-nowait", "--size", "4MiB", "--no-wait");

        assertThat(accepted.exit()).isEqualTo(ExitCodes.OK);
        assertThat(accepted.out()).startsWith("Accepted: CreateDiskArray cli-nowait as command ");
        String id = accepted.out().split("as command ")[1].split(" ")[0];
        org.awaitility.Awaitility.await().untilAsserted(() ->
                assertThat(vda("command", "get", id).out()).contains("SUCCEEDED"));
    }

    @Test
    void shouldDistinguishNotFoundUnauthorizedAndUsageErrors() {
        Run missing = vda("da", "get", "cli-absent");
        assertThat(missing.exit()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.err()).contains("Error: Not found");

        Run unauthorized = vda("da", "list", "--token", "wrong");
        assertThat(unauthorized.exit()).isEqualTo(ExitCodes.UNAUTHORIZED);

        Run usage = vda("da", "create", "cli-x", "--size", "lots");
        assertThat(usage.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(usage.err()).contains("lots");
    }

    @Test
    void shouldReportStillPendingWhenTheTimeoutPasses() {
        Run slow = vda("da", "create", "slow-cli", "--size", "4MiB", "--timeout", "1s");

        assertThat(slow.exit()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(slow.err()).contains("Still pending after 1s");
    }
}
