package io.vda.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.vda.schema.naming.Nqn;
import io.vda.schema.naming.NvmeNames;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NamingTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "db1", "dn-01", "0abc"})
    void shouldAcceptValidResourceNames(String name) {
        assertThat(ResourceNames.problem(name)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", "a-", "A1", "a_b", "a.b", "a/b",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"})
    void shouldRejectInvalidResourceNames(String name) {
        assertThat(ResourceNames.problem(name)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
            "nqn.2016-06.io.spdk:cnode1", "nqn.2024-01.io.vda:exp:db1:exp1", "nqn.2014-08.com.example"})
    void shouldAcceptNqnsOfBothForms(String nqn) {
        assertThat(Nqn.isValid(nqn)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "iqn.2016-06.io.spdk:x", "nqn.2016-13.io.spdk:x", "nqn.16-06.io.spdk:x",
            "nqn.2014-08.org.nvmexpress:uuid:not-a-uuid", "nqn.2016-06.io.spdk:has space"})
    void shouldRejectMalformedNqns(String nqn) {
        assertThat(Nqn.isValid(nqn)).isFalse();
    }

    @Test
    void shouldRejectNqnsOver223Bytes() {
        assertThat(Nqn.isValid("nqn.2016-06.io.spdk:" + "x".repeat(204))).isFalse();
        assertThat(Nqn.isValid("nqn.2016-06.io.spdk:" + "x".repeat(203))).isTrue();
    }

    @Test
    void shouldDeriveOneExporterIdentityForEveryController() {
        assertThat(NvmeNames.exporterSerialNumber("db1", "exp1"))
                .isEqualTo(NvmeNames.exporterSerialNumber("db1", "exp1"))
                .hasSize(NvmeNames.SERIAL_LENGTH)
                .isNotEqualTo(NvmeNames.exporterSerialNumber("db1", "exp2"));
        assertThat(NvmeNames.exporterNamespaceUuid("db1", "exp1"))
                .isEqualTo(NvmeNames.exporterNamespaceUuid("db1", "exp1"))
                .isNotEqualTo(NvmeNames.exporterNamespaceUuid("db2", "exp1"));
        assertThat(Nqn.isValid(NvmeNames.exporterNqn("db1", "exp1"))).isTrue();
        assertThat(Nqn.isValid(NvmeNames.controllerHostNqn("cn1"))).isTrue();
        assertThat(Nqn.isValid(NvmeNames.virtualDiskNqn("db1", 3))).isTrue();
    }

    @Test
    void shouldKeepEachTopicAndKeyUnderItsPrefix() {
        Topics topics = new Topics("t1");
        EtcdKeys keys = new EtcdKeys("/t1");

        assertThat(topics.clusterTopics()).allSatisfy(t -> assertThat(t.name()).startsWith("t1."));
        assertThat(topics.nodeOfTopic(topics.node("dn1"))).isEqualTo("dn1");
        assertThat(topics.nodeTopic("dn1").config()).containsEntry("cleanup.policy", "compact");
        assertThat(keys.subjectVersion("s", 2)).isEqualTo("/t1/schema-registry/subjects/s/versions/0000000002");
        assertThat(keys.physicalDisk("dn1", "pd1")).startsWith(keys.physicalDisksPrefix("dn1"));
        assertThat(keys.exporter("db1", "e1")).startsWith(keys.exportersPrefix("db1"));
    }
}
