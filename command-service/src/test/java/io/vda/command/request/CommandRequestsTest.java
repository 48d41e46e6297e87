package io.vda.command.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vda.schema.command.CreateDiskArray;
import io.vda.schema.command.CreatePhysicalDisk;
import io.vda.schema.command.ModifyExporter;
import io.vda.schema.common.BdevType;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class CommandRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final CommandRequests requests = new CommandRequests(() -> Instant.parse("2026-01-01T00:00:00Z"));

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void shouldBuildCreateDiskArrayWithDefaultsWhenBodyIsMinimal() {
        CommandRequest r = requests.parse(ResourceType.DISK_ARRAY, Operation.CREATE, null, null,
                json("{'daName':'db1','sizeBytes':1073741824}"));

        CreateDiskArray command = (CreateDiskArray) r.command();
        assertThat(command.getDaName()).isEqualTo("db1");
        assertThat(command.getCntlrCnt()).isEqualTo(1);
        assertThat(command.getStripCnt()).isEqualTo(1);
        assertThat(command.getStripSizeKb()).isEqualTo(64);
        assertThat(command.getQos().getRwIosPerSec()).isZero();
        assertThat(r.recordKey()).isEqualTo("disk-array/db1");
        assertThat(r.commandId()).hasSize(36);
        assertThat(r.clientCommandId()).isFalse();
        assertThat(r.nodeTopic()).isEmpty();
    }

    @Test
    void shouldUseClientCommandIdAndNameNodeTopicWhenCreatingDiskNode() {
        CommandRequest r = requests.parse(ResourceType.DISK_NODE, Operation.CREATE, null, null, json(
                "{'commandId':'0b6f7c7e-9d1a-4c53-8f0e-2d7a4f1b9c11','dnName':'dn1',"
                        + "'nvmfListener':{'trAddr':'127.0.0.1','trSvcId':'4420'}}"));

        assertThat(r.commandId()).isEqualTo("0b6f7c7e-9d1a-4c53-8f0e-2d7a4f1b9c11");
        assertThat(r.clientCommandId()).isTrue();
        assertThat(r.nodeTopic()).contains("dn1");
    }

    @Test
    void shouldKeyPhysicalDiskByDiskNodeAndName() {
        CommandRequest r = requests.parse(ResourceType.PHYSICAL_DISK, Operation.CREATE, "dn1", null,
                json("{'pdName':'pd1','backing':{'type':'malloc','sizeBytes':1073741824}}"));

        assertThat(((CreatePhysicalDisk) r.command()).getBacking().getType()).isEqualTo(BdevType.MALLOC);
        assertThat(r.recordKey()).isEqualTo("physical-disk/dn1/pd1");
        assertThat(r.resourcePath()).isEqualTo("/v1/disk-nodes/dn1/physical-disks/pd1");
    }

    @Test
    void shouldLeaveUnsetModifyFieldsNull() {
        CommandRequest r = requests.parse(ResourceType.EXPORTER, Operation.MODIFY, "db1", "exp1",
                json("{'description':'x'}"));

        assertThat(((ModifyExporter) r.command()).getHostNqns()).isNull();
        assertThat(((ModifyExporter) r.command()).getDescription()).isEqualTo("x");
    }

    @Test
    void shouldAcceptDeleteWithoutBody() {
        CommandRequest r = requests.parse(ResourceType.DISK_ARRAY, Operation.DELETE, null, "db1", null);

        assertThat(r.commandType()).isEqualTo("DeleteDiskArray");
    }

    @Test
    void shouldNameEveryBadFieldAtOnce() {
        assertThatThrownBy(() -> requests.parse(ResourceType.DISK_ARRAY, Operation.CREATE, null, null,
                json("{'daName':'DB','sizeBytes':-1,'stripCnt':0,'qos':{'rwIosPerSec':-5},'colour':'red'}")))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.errors())
                        .extracting(FieldError::field)
                        .containsExactlyInAnyOrder("daName", "sizeBytes", "stripCnt", "qos.rwIosPerSec", "colour"));
    }

    static Stream<Arguments> badRequests() {
        String listener = "'nvmfListener':{'trAddr':'127.0.0.1','trSvcId':'4420'}";
        return Stream.of(
                // disk arrays
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'sizeBytes':4194304}", "daName"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'-db','sizeBytes':4194304}", "daName"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'" + "a".repeat(64) + "','sizeBytes':4194304}", "daName"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1'}", "sizeBytes"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1','sizeBytes':0}", "sizeBytes"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1','sizeBytes':4096}", "sizeBytes"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1','sizeBytes':'1GiB'}", "sizeBytes"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1','sizeBytes':4194304,'stripCnt':65}", "stripCnt"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1','sizeBytes':4194304,'stripSizeKb':48}", "stripSizeKb"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1','sizeBytes':4194304,'stripSizeKb':2048}", "stripSizeKb"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1','sizeBytes':4194304,'cntlrCnt':9}", "cntlrCnt"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1','sizeBytes':4194304,'qos':{'wMbytesPerSec':-1}}", "qos.wMbytesPerSec"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1','sizeBytes':4194304,'qos':{'iops':1}}", "qos.iops"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "{'daName':'db1','sizeBytes':4194304,'commandId':'nope'}", "commandId"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.CREATE, null, null, "[1,2]", "body"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.MODIFY, null, "db1", "{}", "body"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.MODIFY, null, "db1", "{'sizeBytes':8388608}", "sizeBytes"),
                Arguments.of(ResourceType.DISK_ARRAY, Operation.DELETE, null, "DB!", null, "daName"),
                // nodes
                Arguments.of(ResourceType.DISK_NODE, Operation.CREATE, null, null, "{'dnName':'dn1'}", "nvmfListener"),
                Arguments.of(ResourceType.DISK_NODE, Operation.CREATE, null, null, "{'dnName':'dn1','nvmfListener':{'trAddr':'host.example','trSvcId':'4420'}}", "nvmfListener.trAddr"),
                Arguments.of(ResourceType.DISK_NODE, Operation.CREATE, null, null, "{'dnName':'dn1','nvmfListener':{'trAddr':'127.0.0.1','trSvcId':'70000'}}", "nvmfListener.trSvcId"),
                Arguments.of(ResourceType.DISK_NODE, Operation.CREATE, null, null, "{'dnName':'dn1','nvmfListener':{'trAddr':'127.0.0.1','trSvcId':4420}}", "nvmfListener.trSvcId"),
                Arguments.of(ResourceType.DISK_NODE, Operation.CREATE, null, null, "{'dnName':'dn1','nvmfListener':{'trType':'fc','trAddr':'127.0.0.1','trSvcId':'4420'}}", "nvmfListener.trType"),
                Arguments.of(ResourceType.DISK_NODE, Operation.CREATE, null, null, "{'dnName':'dn1','nvmfListener':{'adrFam':'ipv6','trAddr':'127.0.0.1','trSvcId':'4420'}}", "nvmfListener.trAddr"),
                Arguments.of(ResourceType.CONTROLLER_NODE, Operation.CREATE, null, null, "{'cnName':'cn1'," + listener + ",'isOffline':'no'}", "isOffline"),
                Arguments.of(ResourceType.CONTROLLER_NODE, Operation.CREATE, null, null, "{'cnName':'cn1'," + listener + ",'location':'" + "x".repeat(300) + "'}", "location"),
                Arguments.of(ResourceType.CONTROLLER_NODE, Operation.MODIFY, null, "cn1", "{'location':'r1'}", "location"),
                // physical disks
                Arguments.of(ResourceType.PHYSICAL_DISK, Operation.CREATE, "dn1", null, "{'pdName':'pd1','backing':{'type':'malloc','sizeBytes':1000}}", "backing.sizeBytes"),
                Arguments.of(ResourceType.PHYSICAL_DISK, Operation.CREATE, "dn1", null, "{'pdName':'pd1','backing':{'type':'floppy','sizeBytes':4096}}", "backing.type"),
                Arguments.of(ResourceType.PHYSICAL_DISK, Operation.CREATE, "dn1", null, "{'pdName':'pd1','backing':{'type':'aio','sizeBytes':4096}}", "backing.fileName"),
                Arguments.of(ResourceType.PHYSICAL_DISK, Operation.CREATE, "dn1", null, "{'pdName':'pd1','backing':{'type':'aio','sizeBytes':4096,'fileName':'disk.img'}}", "backing.fileName"),
                Arguments.of(ResourceType.PHYSICAL_DISK, Operation.CREATE, "dn1", null, "{'pdName':'pd1','backing':{'type':'nvme','sizeBytes':4096,'trAddr':'pci-1'}}", "backing.trAddr"),
                Arguments.of(ResourceType.PHYSICAL_DISK, Operation.CREATE, "dn1", null, "{'pdName':'pd1','backing':{'type':'malloc','sizeBytes':4096,'fileName':'/x'}}", "backing.fileName"),
                Arguments.of(ResourceType.PHYSICAL_DISK, Operation.CREATE, "dn1", null, "{'pdName':'pd1'}", "backing"),
                Arguments.of(ResourceType.PHYSICAL_DISK, Operation.CREATE, "Dn1", null, "{'pdName':'pd1','backing':{'type':'malloc','sizeBytes':4096}}", "dnName"),
                // exporters
                Arguments.of(ResourceType.EXPORTER, Operation.CREATE, "db1", null, "{'expName':'exp1','hostNqns':['not-an-nqn']}", "hostNqns[0]"),
                Arguments.of(ResourceType.EXPORTER, Operation.CREATE, "db1", null, "{'expName':'exp1','hostNqns':['nqn.2014-08.org.nvmexpress:uuid:0b6f7c7e-9d1a-4c53-8f0e-2d7a4f1b9c11',7]}", "hostNqns[1]"),
                Arguments.of(ResourceType.EXPORTER, Operation.CREATE, "db1", null, "{'expName':'exp1','hostNqns':['nqn.2024-01.io.example:h1','nqn.2024-01.io.example:h1']}", "hostNqns[1]"),
                Arguments.of(ResourceType.EXPORTER, Operation.MODIFY, "db1", "exp1", "{'hostNqns':'nqn.2024-01.io.example:h1'}", "hostNqns"),
                Arguments.of(ResourceType.EXPORTER, Operation.CREATE, "db1", null, "{'expName':'exp1','description':'" + "d".repeat(1025) + "'}", "description"));
    }

    @ParameterizedTest(name = "{0} {1}: {4} -> {5}")
    @MethodSource("badRequests")
    void shouldRejectBadInputNamingTheField(ResourceType type, Operation op, String parent, String name, String body,
            String field) {
        assertThatThrownBy(() -> requests.parse(type, op, parent, name, body == null ? null : json(body)))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.errors()).extracting(FieldError::field).contains(field));
    }
}
