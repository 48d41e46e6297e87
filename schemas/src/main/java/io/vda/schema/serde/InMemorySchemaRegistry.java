package io.vda.schema.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/** A registry held in memory: for topology tests and tools that need no shared ids. Thread-safe. */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    private final Map<String, Integer> idsByFingerprint = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        String fingerprint = Fingerprints.of(schema);
        List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer known = idsByFingerprint.get(fingerprint);
        if (known != null && versions.contains(known)) {
            return known;
        }
        List<BackwardCompatibility.Versioned> earlier = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            earlier.add(new BackwardCompatibility.Versioned(i + 1, schemasById.get(versions.get(i))));
        }
        BackwardCompatibility.check(subject, schema, earlier);
        int id = known != null ? known : schemasById.size() + 1;
        idsByFingerprint.put(fingerprint, id);
        schemasById.put(id, schema);
        versions.add(id);
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new UnknownSchemaException(id);
        }
        return schema;
    }

    @Override
    public synchronized Optional<RegisteredSchema> latest(String subject) {
        List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        int id = versions.get(versions.size() - 1);
        return Optional.of(new RegisteredSchema(subject, versions.size(), id, schemasById.get(id)));
    }
}
