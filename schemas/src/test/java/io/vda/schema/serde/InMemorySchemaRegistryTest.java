package io.vda.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final Schema v1 = SchemaBuilder.record("Thing").namespace("io.vda.test").fields()
            .requiredString("name").endRecord();
    private final Schema v2 = SchemaBuilder.record("Thing").namespace("io.vda.test").fields()
            .requiredString("name").name("size").type().longType().longDefault(0).endRecord();

    @Test
    void shouldGiveTheSameIdToTheSameSchema() {
        int first = registry.register("io.vda.test.Thing", v1);

        assertThat(registry.register("io.vda.test.Thing", v1)).isEqualTo(first);
        assertThat(registry.latest("io.vda.test.Thing").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void shouldAcceptAFieldAddedWithADefault() {
        int first = registry.register("io.vda.test.Thing", v1);
        int second = registry.register("io.vda.test.Thing", v2);

        assertThat(second).isNotEqualTo(first);
        assertThat(registry.latest("io.vda.test.Thing").orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void shouldRejectAFieldAddedWithoutADefault() {
        registry.register("io.vda.test.Thing", v1);
        Schema breaking = SchemaBuilder.record("Thing").namespace("io.vda.test").fields()
                .requiredString("name").requiredLong("size").endRecord();

        assertThatThrownBy(() -> registry.register("io.vda.test.Thing", breaking))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("version 1 of subject 'io.vda.test.Thing'");
    }

    @Test
    void shouldCacheIdsAndSchemasInFrontOfASlowerRegistry() {
        int[] calls = {0};
        SchemaRegistry counting = new SchemaRegistry() {
            @Override
            public int register(String subject, Schema schema) {
                calls[0]++;
                return registry.register(subject, schema);
            }

            @Override
            public Schema schemaById(int id) {
                calls[0]++;
                return registry.schemaById(id);
            }

            @Override
            public java.util.Optional<RegisteredSchema> latest(String subject) {
                return registry.latest(subject);
            }
        };
        CachingSchemaRegistry cached = new CachingSchemaRegistry(counting);

        int id = cached.register("io.vda.test.Thing", v1);
        cached.register("io.vda.test.Thing", v1);
        cached.schemaById(id);

        assertThat(calls[0]).isEqualTo(1);
    }
}
