package io.vda.command.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vda.command.request.ResourceType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Tables (the default) and JSON ({@code -o json}) for resources, commands and problems. */
final class Output {

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private record Column(String header, Function<JsonNode, String> value) {
    }

    private Output() {
    }

    static void json(PrintWriter out, JsonNode node) {
        try {
            out.println(PRETTY.writeValueAsString(node));
        } catch (Exception e) {
            out.println(node);
        }
        out.flush();
    }

    static void resources(PrintWriter out, ResourceType type, List<JsonNode> docs) {
        List<Column> columns = columns(type);
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode doc : docs) {
            rows.add(columns.stream().map(c -> c.value.apply(doc)).toList());
        }
        table(out, columns.stream().map(Column::header).toList(), rows);
        for (JsonNode doc : docs) {
            for (JsonNode error : doc.path("status").path("errors")) {
                out.println("  " + doc.path("name").asText() + ": error: " + error.asText());
            }
            for (JsonNode object : doc.path("status").path("objects")) {
                if (!object.path("message").asText("").isEmpty()) {
                    out.println("  " + doc.path("name").asText() + ": " + object.path("node").asText() + " "
                            + object.path("objectKey").asText() + " " + object.path("state").asText() + ": "
                            + object.path("message").asText());
                }
            }
        }
        out.flush();
    }

    static void command(PrintWriter out, JsonNode c) {
        table(out, List.of("COMMAND", "STATUS", "TYPE", "RESOURCE", "REASON", "MESSAGE"), List.of(List.of(
                c.path("commandId").asText(), c.path("status").asText(), text(c, "commandType"),
                text(c, "resourceName"), text(c, "reason"), text(c, "message"))));
        out.flush();
    }

    /** A problem document: its title, detail and each field's message; no stack trace. */
    static void problem(PrintWriter err, int status, JsonNode p) {
        String title = p.path("title").asText("HTTP " + status);
        err.println("Error: " + title + (p.has("detail") && !p.path("errors").isArray()
                ? ": " + p.path("detail").asText() : ""));
        for (JsonNode e : p.path("errors")) {
            err.println("  " + e.path("field").asText() + ": " + e.path("message").asText());
        }
        if (p.has("commandId")) {
            err.println("  command: " + p.path("commandId").asText());
        }
        err.flush();
    }

    static void table(PrintWriter out, List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        printRow(out, headers, widths);
        rows.forEach(r -> printRow(out, r, widths));
    }

    private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            line.append(cell);
            if (i < cells.size() - 1) {
                line.append(" ".repeat(widths[i] - cell.length() + 2));
            }
        }
        out.println(line.toString().stripTrailing());
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? "-" : v.asText().isEmpty() ? "-" : v.asText();
    }

    private static String size(JsonNode node) {
        return node.isNumber() ? Sizes.format(node.asLong()) : "-";
    }

    private static String listener(JsonNode spec) {
        JsonNode l = spec.path("nvmfListener");
        return l.isMissingNode() ? "-" : l.path("trType").asText() + "://" + l.path("trAddr").asText() + ":"
                + l.path("trSvcId").asText();
    }

    private static List<Column> columns(ResourceType type) {
        Column name = new Column("NAME", d -> text(d, "name"));
        Column state = new Column("STATE", d -> text(d, "state"));
        Function<String, Function<JsonNode, String>> spec = f -> d -> text(d.path("spec"), f);
        return switch (type) {
            case DISK_NODE, CONTROLLER_NODE -> List.of(name, new Column("LISTENER", d -> listener(d.path("spec"))),
                    new Column("LOCATION", spec.apply("location")), new Column("OFFLINE", spec.apply("isOffline")),
                    state, new Column("DESCRIPTION", spec.apply("description")));
            case PHYSICAL_DISK -> List.of(new Column("DN", spec.apply("dnName")),
                    new Column("NAME", spec.apply("pdName")),
                    new Column("TYPE", d -> text(d.path("spec").path("backing"), "type")),
                    new Column("SIZE", d -> size(d.path("spec").path("backing").path("sizeBytes"))),
                    new Column("USABLE", d -> size(d.path("spec").path("usableBytes"))),
                    new Column("OFFLINE", spec.apply("isOffline")), state);
            case DISK_ARRAY -> List.of(name, new Column("SIZE", d -> size(d.path("spec").path("sizeBytes"))),
                    new Column("CNTLRS", spec.apply("cntlrCnt")),
                    new Column("STRIPS", d -> text(d.path("spec"), "stripCnt") + "x"
                            + text(d.path("spec"), "stripSizeKb") + "KiB"),
                    new Column("PRIMARY", d -> primary(d.path("spec"))), state,
                    new Column("DESCRIPTION", spec.apply("description")));
            case EXPORTER -> List.of(new Column("DA", spec.apply("daName")), new Column("NAME", spec.apply("expName")),
                    new Column("TARGET NQN", spec.apply("targetNqn")),
                    new Column("HOSTS", d -> Integer.toString(d.path("spec").path("hostNqns").size())), state);
        };
    }

    private static String primary(JsonNode spec) {
        for (JsonNode c : spec.path("controllers")) {
            if ("PRIMARY".equals(c.path("role").asText())) {
                return c.path("cnName").asText();
            }
        }
        return "-";
    }
}
