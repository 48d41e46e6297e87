package io.vda.reconciler.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vda.reconciler.drift.ObjectCondition.Condition;
import io.vda.schema.common.NodeKind;
import io.vda.schema.json.AvroJson;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ExpectedObjectsTest {

    private static JsonNode json(String text) {
        try {
            return AvroJson.MAPPER.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String entry(String node, String key, String state, long epoch) {
        return "{'node':'" + node + "','objectKey':'" + key + "','state':'" + state + "','message':"
                + ("ERROR".equals(state) ? "'No space left on device'" : "null") + ",'epoch':" + epoch
                + ",'observedAt':'2026-11-25T10:00:00Z'}";
    }

    private static final JsonNode DB1 = json("{'kind':'DISK_ARRAY','name':'db1','spec':{'daName':'db1','epoch':2,"
            + "'virtualDisks':[{'vdIndex':0,'dnName':'dn1','pdName':'pd1'},{'vdIndex':1,'dnName':'dn2','pdName':'pd1'}],"
            + "'controllers':[{'cnName':'cn2','role':'PRIMARY'},{'cnName':'cn1','role':'SECONDARY'}]},"
            + "'state':'degraded','status':{'objects':["
            + entry("dn1", "vd/db1/0", "OK", 2) + ","
            + entry("dn2", "vd/db1/1", "OK", 1) + ","
            + entry("cn1", "cntlr/db1", "PENDING", 2) + ","
            + entry("cn2", "cntlr/db1", "ERROR", 2) + ","
            + entry("cn2", "exp/db1/exp1", "OK", 2) + "]}}");
    private static final JsonNode EXP1 = json("{'kind':'EXPORTER','name':'db1/exp1','spec':{'daName':'db1',"
            + "'expName':'exp1'},'status':{'objects':[]}}");
    private static final JsonNode PD1 = json("{'kind':'PHYSICAL_DISK','name':'dn1/pd1','spec':{'dnName':'dn1',"
            + "'pdName':'pd1'},'status':{'objects':[" + entry("dn1", "pd/pd1", "OK", 0) + "]}}");
    private static final JsonNode PD2 = json("{'kind':'PHYSICAL_DISK','name':'dn2/pd1','spec':{'dnName':'dn2',"
            + "'pdName':'pd1'},'status':{'objects':[]}}");

    @Test
    void shouldExpectWhatTheProjectionsExpectAndSayHowEachStands() {
        List<ObjectCondition> conditions = ExpectedObjects.of(new DriftDocuments(List.of(DB1), List.of(EXP1),
                List.of(PD1, PD2)));

        Map<String, Condition> byId = conditions.stream()
                .collect(Collectors.toMap(ObjectCondition::id, ObjectCondition::condition));
        assertThat(byId).containsExactlyInAnyOrderEntriesOf(Map.of(
                "dn1/vd/db1/0", Condition.PRESENT,
                "dn2/vd/db1/1", Condition.MISSING, // reported at an older epoch than the array's
                "cn1/cntlr/db1", Condition.PRESENT, // PENDING: held, waiting for a dependency
                "cn2/cntlr/db1", Condition.ERROR,
                "cn1/exp/db1/exp1", Condition.MISSING,
                "cn2/exp/db1/exp1", Condition.PRESENT,
                "dn1/pd/pd1", Condition.PRESENT,
                "dn2/pd/pd1", Condition.MISSING));
        assertThat(conditions).filteredOn(c -> c.id().equals("cn2/cntlr/db1")).singleElement()
                .satisfies(c -> {
                    assertThat(c.nodeKind()).isEqualTo(NodeKind.CONTROLLER_NODE);
                    assertThat(c.message()).isEqualTo("No space left on device");
                    assertThat(c.dependsOn()).containsExactlyInAnyOrder("dn1", "dn2", "cn1", "cn2");
                });
        assertThat(conditions).filteredOn(c -> c.id().equals("dn2/vd/db1/1")).singleElement()
                .satisfies(c -> assertThat(c.message()).isEqualTo("reported OK at epoch 1, expected 2"));
        assertThat(conditions).filteredOn(c -> c.id().equals("dn2/pd/pd1")).singleElement()
                .satisfies(c -> assertThat(c.dependsOn()).containsExactly("dn2"));
    }

    @Test
    void shouldExpectNothingOfAnEmptyCluster() {
        assertThat(ExpectedObjects.of(new DriftDocuments(List.of(), List.of(), List.of()))).isEmpty();
    }
}
