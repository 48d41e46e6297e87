package io.vda.agent.reconcile;

import io.vda.agent.spdk.Bdev;
import io.vda.agent.spdk.Lvstore;
import io.vda.agent.spdk.NvmeController;
import io.vda.agent.spdk.NvmfSubsystem;
import io.vda.agent.spdk.NvmfTransport;
import io.vda.agent.spdk.RaidBdev;
import io.vda.agent.spdk.SpdkClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One snapshot of what SPDK holds, read at the start of a pass (six listing calls, nothing else). */
public record Observed(List<Bdev> bdevs, List<Lvstore> lvstores, List<RaidBdev> raids,
        List<NvmeController> controllers, List<NvmfSubsystem> subsystems, List<NvmfTransport> transports,
        Map<String, Bdev> bdevIndex, Map<String, NvmfSubsystem> subsystemIndex) {

    public Observed {
        bdevs = List.copyOf(bdevs);
        lvstores = List.copyOf(lvstores);
        raids = List.copyOf(raids);
        controllers = List.copyOf(controllers);
        subsystems = List.copyOf(subsystems);
        transports = List.copyOf(transports);
        if (bdevIndex == null) {
            Map<String, Bdev> index = new HashMap<>();
            for (Bdev b : bdevs) {
                index.put(b.name(), b);
                if (b.aliases() != null) {
                    b.aliases().forEach(a -> index.putIfAbsent(a, b));
                }
            }
            bdevIndex = Map.copyOf(index);
        }
        if (subsystemIndex == null) {
            Map<String, NvmfSubsystem> index = new HashMap<>();
            subsystems.forEach(s -> index.put(s.nqn(), s));
            subsystemIndex = Map.copyOf(index);
        }
    }

    public static Observed of(List<Bdev> bdevs, List<Lvstore> lvstores, List<RaidBdev> raids,
            List<NvmeController> controllers, List<NvmfSubsystem> subsystems, List<NvmfTransport> transports) {
        return new Observed(bdevs, lvstores, raids, controllers, subsystems, transports, null, null);
    }

    public static Observed empty() {
        return of(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** Reads SPDK's state; throws SpdkException when SPDK cannot be read. */
    public static Observed read(SpdkClient client) {
        return of(client.getBdevs(), client.getLvstores(), client.getRaids("all"), client.getControllers(),
                client.getSubsystems(), client.getTransports());
    }

    /** By name or alias (an lvol's "lvs/lvol"). */
    public Optional<Bdev> bdev(String nameOrAlias) {
        return Optional.ofNullable(bdevIndex.get(nameOrAlias));
    }

    public Optional<Lvstore> lvstoreNamed(String name) {
        return lvstores.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    public Optional<Lvstore> lvstoreOn(String baseBdev) {
        return lvstores.stream().filter(l -> baseBdev.equals(l.baseBdev())).findFirst();
    }

    public Optional<RaidBdev> raid(String name) {
        return raids.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    public Optional<NvmeController> controller(String name) {
        return controllers.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public Optional<NvmfSubsystem> subsystem(String nqn) {
        return Optional.ofNullable(subsystemIndex.get(nqn));
    }

    public boolean hasTransport(String trtype) {
        return transports.stream().anyMatch(t -> t.trtype().equalsIgnoreCase(trtype));
    }

    /** Whether an lvol bdev is thin, from driver_specific.lvol. */
    public static boolean thin(Bdev lvol) {
        return lvol.driverSpecific() != null && lvol.driverSpecific().path("lvol").path("thin_provision").asBoolean();
    }

    /** The lvol names (the part after "/") of an lvstore's lvols, from their aliases. */
    public List<String> lvolAliases() {
        return bdevs.stream().filter(b -> b.driverSpecific() != null && b.driverSpecific().has("lvol"))
                .flatMap(b -> b.aliases() == null ? java.util.stream.Stream.empty() : b.aliases().stream())
                .filter(a -> a.contains("/")).toList();
    }
}
