package io.vda.agent.reconcile;

import io.vda.agent.spdk.AnaState;
import io.vda.agent.spdk.AttachControllerRequest;
import io.vda.agent.spdk.ListenAddress;
import io.vda.agent.spdk.NamespaceSpec;
import io.vda.agent.spdk.QosLimits;
import io.vda.agent.spdk.RaidLevel;
import io.vda.agent.spdk.SpdkClient;
import io.vda.agent.spdk.SpdkErrorReason;
import io.vda.agent.spdk.SubsystemSpec;
import java.util.List;

/**
 * One idempotent SPDK call the planner wants made, for one desired-state object. Steps are plain data (the planner
 * is tested by comparing them); {@link #apply} makes the call. {@code dependsOn} names another object whose failure
 * in the same pass makes this step pointless (a VD on its PD).
 */
public record Step(String objectKey, String dependsOn, Action action) {

    public static Step of(String objectKey, Action action) {
        return new Step(objectKey, null, action);
    }

    public static Step of(String objectKey, String dependsOn, Action action) {
        return new Step(objectKey, dependsOn, action);
    }

    @Override
    public String toString() {
        return objectKey + ": " + action;
    }

    /** An SPDK call; {@link #doneWhen} says which error reason means "already the case". */
    public interface Action {
        Object apply(SpdkClient c);

        /** The error that counts as success for this idempotent step (already exists / already gone), or null. */
        default SpdkErrorReason doneWhen() {
            return null;
        }
    }

    interface Create extends Action {
        @Override
        default SpdkErrorReason doneWhen() {
            return SpdkErrorReason.ALREADY_EXISTS;
        }
    }

    interface Delete extends Action {
        @Override
        default SpdkErrorReason doneWhen() {
            return SpdkErrorReason.NOT_FOUND;
        }
    }

    public record CreateMallocBdev(String name, long numBlocks, int blockSize) implements Create {
        public Object apply(SpdkClient c) {
            return c.createMallocBdev(name, numBlocks, blockSize);
        }
    }

    public record CreateAioBdev(String name, String fileName, int blockSize) implements Create {
        public Object apply(SpdkClient c) {
            return c.createAioBdev(name, fileName, blockSize);
        }
    }

    public record DeleteMallocBdev(String name) implements Delete {
        public Object apply(SpdkClient c) {
            c.deleteMallocBdev(name);
            return true;
        }
    }

    public record DeleteAioBdev(String name) implements Delete {
        public Object apply(SpdkClient c) {
            c.deleteAioBdev(name);
            return true;
        }
    }

    public record AttachController(String name, ListenAddress address, String subnqn, String hostnqn)
            implements Create {
        public Object apply(SpdkClient c) {
            return c.attachController(AttachControllerRequest.tcp(name, address, subnqn, hostnqn));
        }
    }

    public record DetachController(String name) implements Delete {
        public Object apply(SpdkClient c) {
            c.detachController(name);
            return true;
        }
    }

    public record CreateLvstore(String bdevName, String lvsName) implements Create {
        public Object apply(SpdkClient c) {
            return c.createLvstore(bdevName, lvsName, io.vda.agent.naming.SpdkNames.CLUSTER_SIZE, "none");
        }
    }

    /**
     * The disk array's lvstore: made once in the array's life, planned only when the desired state says it was never
     * initialised and no lvstore was found on the assembled raid. The executor reports its uuid to the allocator.
     */
    public record CreateDiskArrayLvstore(String daName, long epoch, String raidName, String lvsName)
            implements Action {
        public Object apply(SpdkClient c) {
            return c.createLvstore(raidName, lvsName, io.vda.agent.naming.SpdkNames.CLUSTER_SIZE, "none");
        }
    }

    /** Not an SPDK call: the allocator must be told the array's lvstore exists (see Plan#initializations). */
    public record MarkInitialized(String daName, long epoch, String lvstoreUuid) implements Action {
        public Object apply(SpdkClient c) {
            return lvstoreUuid;
        }
    }

    /**
     * Lets SPDK look for an lvstore on a bdev when bdev_auto_examine is off; with it on, SPDK has examined already
     * and answers -22 (INVALID_PARAMS), which counts as done. Never writes anything.
     */
    public record ExamineBdev(String bdevName) implements Action {
        public Object apply(SpdkClient c) {
            c.examine(bdevName);
            return true;
        }

        @Override
        public SpdkErrorReason doneWhen() {
            return SpdkErrorReason.INVALID_PARAMS;
        }
    }

    public record DeleteLvstore(String lvsName) implements Delete {
        public Object apply(SpdkClient c) {
            c.deleteLvstore(lvsName);
            return true;
        }
    }

    public record CreateLvol(String lvsName, String lvolName, long sizeInMib, boolean thin) implements Create {
        public Object apply(SpdkClient c) {
            return c.createLvol(lvsName, lvolName, sizeInMib, thin);
        }
    }

    public record ResizeLvol(String alias, long sizeInMib) implements Action {
        public Object apply(SpdkClient c) {
            c.resizeLvol(alias, sizeInMib);
            return true;
        }
    }

    public record DeleteLvol(String nameOrAlias) implements Delete {
        public Object apply(SpdkClient c) {
            c.deleteLvol(nameOrAlias);
            return true;
        }
    }

    public record SetQos(String bdevName, QosLimits limits) implements Action {
        public Object apply(SpdkClient c) {
            c.setQosLimit(bdevName, limits);
            return true;
        }
    }

    public record CreateRaid(String name, long stripSizeKb, List<String> baseBdevs) implements Create {
        public Object apply(SpdkClient c) {
            c.createRaid(name, RaidLevel.RAID0, stripSizeKb, baseBdevs);
            return true;
        }
    }

    public record DeleteRaid(String name) implements Delete {
        public Object apply(SpdkClient c) {
            c.deleteRaid(name);
            return true;
        }
    }

    public record CreateTransport(String trtype) implements Create {
        public Object apply(SpdkClient c) {
            c.createTransport(trtype);
            return true;
        }
    }

    public record CreateSubsystem(SubsystemSpec spec) implements Create {
        public Object apply(SpdkClient c) {
            c.createSubsystem(spec);
            return true;
        }
    }

    public record DeleteSubsystem(String nqn) implements Delete {
        public Object apply(SpdkClient c) {
            c.deleteSubsystem(nqn);
            return true;
        }
    }

    public record AddNamespace(String nqn, NamespaceSpec namespace) implements Action {
        public Object apply(SpdkClient c) {
            return c.addNamespace(nqn, namespace);
        }
    }

    public record RemoveNamespace(String nqn, int nsid) implements Delete {
        public Object apply(SpdkClient c) {
            c.removeNamespace(nqn, nsid);
            return true;
        }
    }

    public record AddListener(String nqn, ListenAddress address) implements Action {
        public Object apply(SpdkClient c) {
            c.addListener(nqn, address);
            return true;
        }
    }

    public record AddHost(String nqn, String hostNqn) implements Action {
        public Object apply(SpdkClient c) {
            c.addHost(nqn, hostNqn);
            return true;
        }
    }

    /** The fence: removing a host disconnects its controllers at once. */
    public record RemoveHost(String nqn, String hostNqn) implements Delete {
        public Object apply(SpdkClient c) {
            c.removeHost(nqn, hostNqn);
            return true;
        }
    }

    public record SetAnaState(String nqn, ListenAddress address, AnaState state) implements Action {
        public Object apply(SpdkClient c) {
            c.setAnaState(nqn, address, state);
            return true;
        }
    }
}
