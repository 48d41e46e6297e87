package io.vda.command.cli;

import io.vda.command.request.ResourceType;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vda}: the command-line client of the command gateway. Launched by {@code infra/bin/vda}.
 *
 * <pre>
 * vda dn|cn  create|delete|modify|list|get …     disk nodes, controller nodes
 * vda pd     create|delete|modify|list|get DN …  physical disks of a disk node
 * vda da     create|delete|modify|list|get …     disk arrays
 * vda exp    create|delete|modify|list|get DA …  exporters of a disk array
 * vda command get ID
 * </pre>
 * Global options on every subcommand: {@code --api} ({@code VDA_API_URL}), {@code --token} ({@code VDA_API_TOKEN}),
 * {@code -o table|json}; writes also {@code --no-wait} and {@code --timeout}. Exit codes: {@link ExitCodes}.
 */
@Command(name = "vda", mixinStandardHelpOptions = true, version = "vda 0.1.0",
        description = "Manage VDA disk nodes, physical disks, controller nodes, disk arrays and exporters.",
        footer = {"", "Environment: VDA_API_URL (default http://127.0.0.1:8080), VDA_API_TOKEN.",
                "Exit codes: 0 done/accepted, 1 unavailable, 2 usage, 3 invalid, 4 rejected, 5 not found,"
                        + " 6 still pending, 7 unauthorized."})
public final class VdaCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
    }

    /** The whole command tree, writing to the given streams (tests pass their own). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine vda = new CommandLine(new VdaCli());
        vda.addSubcommand("dn", group(ResourceType.DISK_NODE, "Disk nodes (hosts of physical disks)."));
        vda.addSubcommand("pd", group(ResourceType.PHYSICAL_DISK, "Physical disks of a disk node."));
        vda.addSubcommand("cn", group(ResourceType.CONTROLLER_NODE, "Controller nodes (hosts of disk array controllers)."));
        vda.addSubcommand("da", group(ResourceType.DISK_ARRAY, "Disk arrays (volumes striped over physical disks)."));
        vda.addSubcommand("exp", group(ResourceType.EXPORTER, "Exporters (NVMe-oF subsystems) of a disk array."));
        CommandLine command = new CommandLine(new Group());
        command.getCommandSpec().usageMessage().description("Commands and their outcomes.");
        command.addSubcommand("get", new ResourceCommands.CommandGet());
        vda.addSubcommand("command", command);
        vda.setOut(out);
        vda.setErr(err);
        vda.setExecutionExceptionHandler((e, cl, parsed) -> {
            cl.getErr().println("Error: " + e.getMessage());
            return ExitCodes.UNAVAILABLE;
        });
        return vda;
    }

    private static CommandLine group(ResourceType type, String description) {
        CommandLine group = new CommandLine(new Group());
        group.getCommandSpec().usageMessage().description(description);
        switch (type) {
            case DISK_NODE, CONTROLLER_NODE -> {
                group.addSubcommand("create", ResourceCommands.positionals(new ResourceCommands.NodeCreate(type)));
                group.addSubcommand("modify", ResourceCommands.positionals(new ResourceCommands.FlagsModify(type)));
            }
            case PHYSICAL_DISK -> {
                group.addSubcommand("create", ResourceCommands.positionals(new ResourceCommands.PhysicalDiskCreate()));
                group.addSubcommand("modify", ResourceCommands.positionals(new ResourceCommands.FlagsModify(type)));
            }
            case DISK_ARRAY -> {
                group.addSubcommand("create", ResourceCommands.positionals(new ResourceCommands.DiskArrayCreate()));
                group.addSubcommand("modify", ResourceCommands.positionals(new ResourceCommands.DiskArrayModify()));
            }
            case EXPORTER -> {
                group.addSubcommand("create", ResourceCommands.positionals(new ResourceCommands.ExporterCreate()));
                group.addSubcommand("modify", ResourceCommands.positionals(new ResourceCommands.ExporterModify()));
            }
        }
        group.addSubcommand("delete", ResourceCommands.positionals(new ResourceCommands.Delete(type)));
        group.addSubcommand("get", ResourceCommands.positionals(new ResourceCommands.Get(type)));
        group.addSubcommand("list", ResourceCommands.positionals(new ResourceCommands.ListCommand(type)));
        return group;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A command that only groups subcommands: run alone, it prints its usage. */
    @Command(mixinStandardHelpOptions = true)
    static final class Group implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }
}
