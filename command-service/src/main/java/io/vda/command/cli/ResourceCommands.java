package io.vda.command.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vda.command.Durations;
import io.vda.command.request.Operation;
import io.vda.command.request.ResourceType;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Option;

/** The {@code vda} leaf commands. Names are positional: {@code DN}, {@code DN PD}, {@code DA}, {@code DA EXP} … */
final class ResourceCommands {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ResourceCommands() {
    }

    /** Adds the positional name parameters a resource command takes, labelled by resource (DN PD, DA EXP …). */
    static CommandLine positionals(ResourceCommand command) {
        CommandLine cl = new CommandLine(command);
        CommandSpec spec = cl.getCommandSpec();
        ResourceType type = command.type;
        if (type.hasParent()) {
            spec.addPositional(PositionalParamSpec.builder().index("0").paramLabel(label(type.parentType()))
                    .type(String.class).required(true)
                    .description("the " + type.parentType().words() + "'s name").build());
        }
        if (command.takesName()) {
            spec.addPositional(PositionalParamSpec.builder().index(type.hasParent() ? "1" : "0")
                    .paramLabel(label(type)).type(String.class).required(true)
                    .description("the " + type.words() + "'s name").build());
        }
        return cl;
    }

    static String label(ResourceType type) {
        return switch (type) {
            case DISK_NODE -> "DN";
            case PHYSICAL_DISK -> "PD";
            case CONTROLLER_NODE -> "CN";
            case DISK_ARRAY -> "DA";
            case EXPORTER -> "EXP";
        };
    }

    enum Format { table, json }

    /** Options every command shares. */
    abstract static class ApiCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandSpec spec;

        @Option(names = "--api", defaultValue = "${env:VDA_API_URL:-http://127.0.0.1:8080}",
                description = "API base URL (env VDA_API_URL; default ${DEFAULT-VALUE})")
        String api;

        @Option(names = "--token", defaultValue = "${env:VDA_API_TOKEN}", description = "bearer token (env VDA_API_TOKEN)")
        String token;

        @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default ${DEFAULT-VALUE})")
        Format output;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
        boolean help;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        @Override
        public final Integer call() {
            try {
                return execute(new ApiClient(api, Optional.ofNullable(token)));
            } catch (ApiClient.UnreachableException e) {
                err().println("Error: " + e.getMessage());
                err().flush();
                return ExitCodes.UNAVAILABLE;
            }
        }

        abstract int execute(ApiClient client);

        int problem(ApiClient.Response response) {
            if (output == Format.json) {
                Output.json(out(), response.body());
            }
            Output.problem(err(), response.status(), response.body());
            return ExitCodes.forStatus(response.status());
        }
    }

    /** A command about one resource type; positional names are read from the spec. */
    abstract static class ResourceCommand extends ApiCommand {
        final ResourceType type;

        ResourceCommand(ResourceType type) {
            this.type = type;
        }

        boolean takesName() {
            return true;
        }

        String parent() {
            return type.hasParent() ? spec.positionalParameters().get(0).getValue() : null;
        }

        String name() {
            return spec.positionalParameters().get(type.hasParent() ? 1 : 0).getValue();
        }
    }

    @Command(description = "Show one resource.")
    static final class Get extends ResourceCommand {
        Get(ResourceType type) {
            super(type);
        }

        @Override
        int execute(ApiClient client) {
            ApiClient.Response r = client.get(type.itemPath(parent(), ApiClient.encode(name())));
            if (!r.ok()) {
                return problem(r);
            }
            if (output == Format.json) {
                Output.json(out(), r.body());
            } else {
                Output.resources(out(), type, List.of(r.body()));
            }
            return ExitCodes.OK;
        }
    }

    @Command(description = "List resources (all pages, unless --continue asks for one).")
    static final class ListCommand extends ResourceCommand {
        @Option(names = "--limit", defaultValue = "100", description = "page size (1..1000)")
        int limit;

        @Option(names = "--continue", description = "continuation token of the page to show (one page only)")
        String continueToken;

        ListCommand(ResourceType type) {
            super(type);
        }

        @Override
        boolean takesName() {
            return false;
        }

        @Override
        int execute(ApiClient client) {
            List<JsonNode> items = new ArrayList<>();
            String token = continueToken;
            String next;
            do {
                String path = type.collectionPath(parent()) + "?limit=" + limit
                        + (token == null ? "" : "&continue=" + ApiClient.encode(token));
                ApiClient.Response r = client.get(path);
                if (!r.ok()) {
                    return problem(r);
                }
                r.body().path("items").forEach(items::add);
                next = r.body().path("continue").isTextual() ? r.body().path("continue").asText() : null;
                token = next;
            } while (next != null && continueToken == null);
            if (output == Format.json) {
                ObjectNode page = NODES.objectNode();
                items.forEach(page.putArray("items")::add);
                page.put("continue", continueToken == null ? null : next);
                Output.json(out(), page);
            } else {
                Output.resources(out(), type, items);
                if (continueToken != null && next != null) {
                    out().println("(more: --continue " + next + ")");
                    out().flush();
                }
            }
            return ExitCodes.OK;
        }
    }

    /** A write: sends the command, then (unless --no-wait) follows it to its outcome with a progress line. */
    abstract static class WriteCommand extends ResourceCommand {
        @Option(names = "--no-wait", description = "return once the command is accepted (exit 0), without waiting")
        boolean noWait;

        @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class,
                description = "how long to wait for the outcome (default ${DEFAULT-VALUE})")
        Duration timeout;

        WriteCommand(ResourceType type) {
            super(type);
        }

        abstract Operation operation();

        ObjectNode body() {
            return null;
        }

        @Override
        int execute(ApiClient client) {
            Operation op = operation();
            String path = op == Operation.CREATE ? type.collectionPath(parent())
                    : type.itemPath(parent(), ApiClient.encode(name()));
            String method = switch (op) {
                case CREATE -> "POST";
                case MODIFY -> "PATCH";
                case DELETE -> "DELETE";
            };
            ObjectNode body = body();
            if (op == Operation.CREATE) {
                ObjectNode withName = NODES.objectNode().put(type.nameField(), name());
                withName.setAll(body);
                body = withName;
            }
            ApiClient.Response r = client.write(method, path, body, UUID.randomUUID().toString(), Duration.ZERO);
            if (!r.ok()) {
                return problem(r);
            }
            String commandId = r.body().path("commandId").asText();
            if (noWait) {
                if (output == Format.json) {
                    Output.json(out(), r.body());
                } else {
                    out().println("Accepted: " + r.body().path("commandType").asText() + " "
                            + r.body().path("resourceName").asText() + " as command " + commandId
                            + " (vda command get " + commandId + ")");
                    out().flush();
                }
                return ExitCodes.OK;
            }
            return follow(client, r.body(), commandId);
        }

        private int follow(ApiClient client, JsonNode accepted, String commandId) {
            String what = accepted.path("commandType").asText() + " " + accepted.path("resourceName").asText();
            long deadline = System.nanoTime() + timeout.toNanos();
            JsonNode command;
            try (Progress progress = Progress.start(err(), what)) {
                while (true) {
                    long left = deadline - System.nanoTime();
                    Duration hold = Duration.ofNanos(Math.max(0, Math.min(left, Duration.ofSeconds(5).toNanos())));
                    ApiClient.Response r = client.get("/v1/commands/" + commandId + "?wait="
                            + Math.max(1, hold.toMillis()) + "ms", hold);
                    if (!r.ok()) {
                        progress.close();
                        return problem(r);
                    }
                    command = r.body();
                    String status = command.path("status").asText();
                    progress.state(status.toLowerCase(Locale.ROOT));
                    if (!status.equals("PENDING")) {
                        break;
                    }
                    if (System.nanoTime() >= deadline) {
                        progress.close();
                        err().println("Still pending after " + Durations.format(timeout) + ": command " + commandId
                                + " (vda command get " + commandId + ")");
                        err().flush();
                        return ExitCodes.TIMED_OUT;
                    }
                }
            }
            if (command.path("status").asText().equals("REJECTED")) {
                if (output == Format.json) {
                    Output.json(out(), command);
                }
                err().println("Error: Command rejected: " + command.path("reason").asText() + ": "
                        + command.path("message").asText());
                err().println("  command: " + commandId);
                err().flush();
                return ExitCodes.REJECTED;
            }
            if (operation() == Operation.DELETE) {
                if (output == Format.json) {
                    Output.json(out(), command);
                } else {
                    out().println("Deleted " + type.words() + " " + type.resourceName(parent(), name())
                            + " (command " + commandId + ")");
                    out().flush();
                }
                return ExitCodes.OK;
            }
            ApiClient.Response resource = client.get(accepted.path("resourceUrl").asText());
            if (!resource.ok()) {
                // Decided, but the projection has not caught up: show the outcome instead.
                if (output == Format.json) {
                    Output.json(out(), command);
                } else {
                    Output.command(out(), command);
                }
                return ExitCodes.OK;
            }
            if (output == Format.json) {
                Output.json(out(), resource.body());
            } else {
                Output.resources(out(), type, List.of(resource.body()));
            }
            return ExitCodes.OK;
        }
    }

    @Command(description = "Delete a resource.")
    static final class Delete extends WriteCommand {
        Delete(ResourceType type) {
            super(type);
        }

        @Override
        Operation operation() {
            return Operation.DELETE;
        }
    }

    @Command(description = "Create a node.")
    static final class NodeCreate extends WriteCommand {
        @Option(names = "--tr-addr", required = true, description = "NVMe-oF listener IP address")
        String trAddr;
        @Option(names = "--tr-svc-id", required = true, description = "NVMe-oF listener port, e.g. 4420")
        String trSvcId;
        @Option(names = "--tr-type", description = "tcp (default) or rdma")
        String trType;
        @Option(names = "--adr-fam", description = "ipv4 (default) or ipv6")
        String adrFam;
        @Option(names = "--location", description = "failure domain, e.g. a rack")
        String location;
        @Option(names = "--description")
        String description;
        @Option(names = "--offline", description = "create it offline (no new placements)")
        boolean offline;

        NodeCreate(ResourceType type) {
            super(type);
        }

        @Override
        Operation operation() {
            return Operation.CREATE;
        }

        @Override
        ObjectNode body() {
            ObjectNode b = NODES.objectNode();
            ObjectNode l = b.putObject("nvmfListener").put("trAddr", trAddr).put("trSvcId", trSvcId);
            putIf(l, "trType", trType);
            putIf(l, "adrFam", adrFam);
            putIf(b, "location", location);
            putIf(b, "description", description);
            if (offline) {
                b.put("isOffline", true);
            }
            return b;
        }
    }

    @Command(description = "Modify the description or offline flag.")
    static final class FlagsModify extends WriteCommand {
        @Option(names = "--description")
        String description;
        @Option(names = "--offline", arity = "0..1", fallbackValue = "true",
                description = "--offline or --offline=false")
        Boolean offline;

        FlagsModify(ResourceType type) {
            super(type);
        }

        @Override
        Operation operation() {
            return Operation.MODIFY;
        }

        @Override
        ObjectNode body() {
            ObjectNode b = NODES.objectNode();
            putIf(b, "description", description);
            if (offline != null) {
                b.put("isOffline", offline);
            }
            return b;
        }
    }

    @Command(description = "Create a physical disk on a disk node.")
    static final class PhysicalDiskCreate extends WriteCommand {
        @Option(names = "--type", required = true, description = "malloc, aio or nvme")
        String bdevType;
        @Option(names = "--size", required = true, converter = SizeConverter.class,
                description = "capacity, e.g. 100GiB (a multiple of 4KiB)")
        Long size;
        @Option(names = "--file", description = "aio: absolute path of the file or block device")
        String fileName;
        @Option(names = "--pcie-addr", description = "nvme: PCIe address, e.g. 0000:01:00.0")
        String pcieAddress;
        @Option(names = "--description")
        String description;
        @Option(names = "--offline")
        boolean offline;

        PhysicalDiskCreate() {
            super(ResourceType.PHYSICAL_DISK);
        }

        @Override
        Operation operation() {
            return Operation.CREATE;
        }

        @Override
        ObjectNode body() {
            ObjectNode b = NODES.objectNode();
            ObjectNode backing = b.putObject("backing").put("type", bdevType).put("sizeBytes", size);
            putIf(backing, "fileName", fileName);
            putIf(backing, "trAddr", pcieAddress);
            putIf(b, "description", description);
            if (offline) {
                b.put("isOffline", true);
            }
            return b;
        }
    }

    /** QoS options shared by disk-array create and modify; 0 = unlimited. */
    static class Qos {
        @Option(names = "--rw-ios-per-sec", description = "read+write IOPS limit (0 = unlimited)")
        Long rwIosPerSec;
        @Option(names = "--rw-mbytes-per-sec", description = "read+write MB/s limit")
        Long rwMbytesPerSec;
        @Option(names = "--r-mbytes-per-sec", description = "read MB/s limit")
        Long rMbytesPerSec;
        @Option(names = "--w-mbytes-per-sec", description = "write MB/s limit")
        Long wMbytesPerSec;

        boolean any() {
            return rwIosPerSec != null || rwMbytesPerSec != null || rMbytesPerSec != null || wMbytesPerSec != null;
        }

        ObjectNode json() {
            ObjectNode q = NODES.objectNode();
            putIf(q, "rwIosPerSec", rwIosPerSec);
            putIf(q, "rwMbytesPerSec", rwMbytesPerSec);
            putIf(q, "rMbytesPerSec", rMbytesPerSec);
            putIf(q, "wMbytesPerSec", wMbytesPerSec);
            return q;
        }
    }

    @Command(description = "Create a disk array.")
    static final class DiskArrayCreate extends WriteCommand {
        @Option(names = "--size", required = true, converter = SizeConverter.class,
                description = "volume size, e.g. 10GiB (a multiple of 4MiB)")
        Long size;
        @Option(names = "--cntlr-cnt", description = "controllers: 1 primary + secondaries (1..8, default 1)")
        Integer cntlrCnt;
        @Option(names = "--strip-cnt", description = "virtual disks to stripe over (1..64, default 1)")
        Integer stripCnt;
        @Option(names = "--strip-size-kb", description = "raid0 strip size in KiB, a power of two 4..1024 (default 64)")
        Integer stripSizeKb;
        @Option(names = "--description")
        String description;
        @CommandLine.Mixin
        Qos qos = new Qos();

        DiskArrayCreate() {
            super(ResourceType.DISK_ARRAY);
        }

        @Override
        Operation operation() {
            return Operation.CREATE;
        }

        @Override
        ObjectNode body() {
            ObjectNode b = NODES.objectNode().put("sizeBytes", size);
            putIf(b, "cntlrCnt", cntlrCnt);
            putIf(b, "stripCnt", stripCnt);
            putIf(b, "stripSizeKb", stripSizeKb);
            putIf(b, "description", description);
            if (qos.any()) {
                b.set("qos", qos.json());
            }
            return b;
        }
    }

    @Command(description = "Modify a disk array's description or QoS (QoS is replaced whole; unset limits become 0).")
    static final class DiskArrayModify extends WriteCommand {
        @Option(names = "--description")
        String description;
        @CommandLine.Mixin
        Qos qos = new Qos();

        DiskArrayModify() {
            super(ResourceType.DISK_ARRAY);
        }

        @Override
        Operation operation() {
            return Operation.MODIFY;
        }

        @Override
        ObjectNode body() {
            ObjectNode b = NODES.objectNode();
            putIf(b, "description", description);
            if (qos.any()) {
                b.set("qos", qos.json());
            }
            return b;
        }
    }

    @Command(description = "Create an exporter (NVMe-oF subsystem) for a disk array.")
    static final class ExporterCreate extends WriteCommand {
        @Option(names = "--host-nqn", description = "a host allowed to connect (repeatable)")
        List<String> hostNqns;
        @Option(names = "--description")
        String description;

        ExporterCreate() {
            super(ResourceType.EXPORTER);
        }

        @Override
        Operation operation() {
            return Operation.CREATE;
        }

        @Override
        ObjectNode body() {
            ObjectNode b = NODES.objectNode();
            if (hostNqns != null) {
                hostNqns.forEach(b.putArray("hostNqns")::add);
            }
            putIf(b, "description", description);
            return b;
        }
    }

    @Command(description = "Modify an exporter's description or host allowlist (replaced whole).")
    static final class ExporterModify extends WriteCommand {
        @Option(names = "--host-nqn", description = "a host allowed to connect (repeatable; replaces the list)")
        List<String> hostNqns;
        @Option(names = "--no-hosts", description = "clear the host allowlist")
        boolean noHosts;
        @Option(names = "--description")
        String description;

        ExporterModify() {
            super(ResourceType.EXPORTER);
        }

        @Override
        Operation operation() {
            return Operation.MODIFY;
        }

        @Override
        ObjectNode body() {
            ObjectNode b = NODES.objectNode();
            if (noHosts) {
                b.putArray("hostNqns");
            } else if (hostNqns != null) {
                hostNqns.forEach(b.putArray("hostNqns")::add);
            }
            putIf(b, "description", description);
            return b;
        }
    }

    @Command(description = "Show a command's outcome: PENDING, SUCCEEDED or REJECTED with the reason.")
    static final class CommandGet extends ApiCommand {
        @CommandLine.Parameters(paramLabel = "ID", description = "the command id")
        String commandId;

        @Override
        int execute(ApiClient client) {
            ApiClient.Response r = client.get("/v1/commands/" + ApiClient.encode(commandId));
            if (!r.ok()) {
                return problem(r);
            }
            if (output == Format.json) {
                Output.json(out(), r.body());
            } else {
                Output.command(out(), r.body());
            }
            return r.body().path("status").asText().equals("REJECTED") ? ExitCodes.REJECTED : ExitCodes.OK;
        }
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Sizes.parse(value);
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parse(value);
        }
    }

    private static void putIf(ObjectNode node, String field, Object value) {
        if (value instanceof String s) {
            node.put(field, s);
        } else if (value instanceof Long l) {
            node.put(field, l);
        } else if (value instanceof Integer i) {
            node.put(field, i);
        }
    }
}
