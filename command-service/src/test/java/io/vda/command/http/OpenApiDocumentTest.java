package io.vda.command.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vda.command.request.CommandRequests;
import io.vda.command.request.Operation;
import io.vda.command.request.ResourceType;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The OpenAPI document kept in the repository must describe the routes and fields the gateway really serves. */
class OpenApiDocumentTest {

    private final JsonNode doc;

    OpenApiDocumentTest() throws Exception {
        doc = new ObjectMapper().readTree(HttpGateway.openApiDocument());
    }

    @Test
    void shouldDescribeEveryResourceRoute() {
        for (ResourceType type : ResourceType.values()) {
            String collection = HttpGateway.collectionRoute(type).replaceAll(":(\\w+)", "{$1}");
            String item = collection + "/{" + type.nameField() + "}";
            assertThat(doc.path("paths").has(collection)).as(collection).isTrue();
            assertThat(doc.path("paths").path(collection).has("get")).isTrue();
            assertThat(doc.path("paths").path(collection).has("post")).isTrue();
            assertThat(doc.path("paths").path(item).has("get")).as(item).isTrue();
            assertThat(doc.path("paths").path(item).has("patch")).isTrue();
            assertThat(doc.path("paths").path(item).has("delete")).isTrue();
        }
        assertThat(doc.path("paths").has("/v1/commands/{commandId}")).isTrue();
    }

    @Test
    void shouldListExactlyTheFieldsTheValidatorAccepts() {
        check("CreateDiskNode", ResourceType.DISK_NODE, Operation.CREATE);
        check("CreateControllerNode", ResourceType.CONTROLLER_NODE, Operation.CREATE);
        check("CreatePhysicalDisk", ResourceType.PHYSICAL_DISK, Operation.CREATE);
        check("CreateDiskArray", ResourceType.DISK_ARRAY, Operation.CREATE);
        check("CreateExporter", ResourceType.EXPORTER, Operation.CREATE);
        check("ModifyNode", ResourceType.DISK_NODE, Operation.MODIFY);
        check("ModifyDiskArray", ResourceType.DISK_ARRAY, Operation.MODIFY);
        check("ModifyExporter", ResourceType.EXPORTER, Operation.MODIFY);
    }

    private void check(String schema, ResourceType type, Operation op) {
        Set<String> documented = new HashSet<>();
        doc.path("components").path("schemas").path(schema).path("properties").fieldNames()
                .forEachRemaining(documented::add);
        Set<String> accepted = new HashSet<>(CommandRequests.fields(type, op));
        accepted.add("commandId");
        assertThat(documented).as(schema).isEqualTo(accepted);
    }
}
